// Package report is the vehicle-report bounded context: the report model (personal data is
// declared here, once, by the `personal` struct tag), redaction, the odometer rules, and the ports
// the legacy systems implement. It imports no AWS SDK, no net/http and no adapter
// (internal/archtest enforces it): the DynamoDB adapter maps cache items to its values and back,
// the Lambda steps in functions/ decode events and call it.
package report
