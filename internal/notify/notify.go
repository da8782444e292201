// Package notify is the adapter that delivers one-time ownership codes to the owner on record in
// AWS: by SMS through Amazon SNS or by e-mail through Amazon SES (v2), whichever contact the
// registry holds for the vehicle's current keeper. It implements ownership.Outbox; locally
// internal/local/devoutbox delivers instead.
//
// Personal data: the contact (phone number, e-mail address) and the code are never logged, and
// an SDK error is logged by its error code only, since AWS error messages may quote the number.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Channel is how a keeper is reached.
type Channel string

// The channels.
const (
	SMS   Channel = "sms"
	Email Channel = "email"
)

// Contact is where the owner on record receives codes. Personal data: never log it.
type Contact struct {
	Channel Channel
	Address string // E.164 phone number or e-mail address
}

// Contacts finds the owner on record's contact; ok is false when the VIN has no owner on record
// or the owner gave no contact (not an error).
type Contacts interface {
	OwnerContact(ctx context.Context, vin vehicle.VIN) (c Contact, ok bool, err error)
}

// SMSAPI is the part of *sns.Client the adapter uses.
type SMSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// EmailAPI is the part of *sesv2.Client the adapter uses.
type EmailAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Config configures an Outbox; every field but Log is required.
type Config struct {
	Contacts Contacts
	SMS      SMSAPI
	Email    EmailAPI
	// From is the sender address, of an identity verified in SES.
	From string
	// Valid is how long a code can be used, as the message tells the owner.
	Valid time.Duration
	Log   *slog.Logger
}

// Outbox delivers codes; safe for concurrent use.
type Outbox struct {
	cfg Config
	// lastSend is how long the last delivery took (nanoseconds): a VIN without a contact waits
	// as long, so the time to answer does not tell whether a VIN has an owner.
	lastSend atomic.Int64
}

var _ ownership.Outbox = (*Outbox)(nil)

// New checks cfg and builds the Outbox.
func New(cfg Config) (*Outbox, error) {
	switch {
	case cfg.Contacts == nil, cfg.SMS == nil, cfg.Email == nil:
		return nil, errors.New("notify: contacts, SMS and e-mail clients are required")
	case cfg.From == "":
		return nil, errors.New("notify: the sender address is required")
	case cfg.Valid <= 0:
		return nil, errors.New("notify: the code's validity is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{cfg: cfg}, nil
}

// SendCode implements ownership.Outbox. Whether or not the VIN has an owner with a contact, and
// whether or not the delivery service accepted the message, it answers alike (nil), so the
// answer never tells whether a VIN has an owner. A failed delivery is logged (channel and error
// code) for operators; the owner can ask again or use the registration document's code. Only a
// failing registry is an error: it fails every VIN alike.
func (o *Outbox) SendCode(ctx context.Context, vin vehicle.VIN, code string) error {
	c, ok, err := o.cfg.Contacts.OwnerContact(ctx, vin)
	if err != nil {
		return fmt.Errorf("notify: owner contact: %w", err)
	}
	if !ok {
		o.wait(ctx)
		return nil
	}
	start := time.Now()
	err = o.send(ctx, c, code)
	o.lastSend.Store(int64(time.Since(start)))
	if err != nil {
		o.cfg.Log.ErrorContext(ctx, "one-time code delivery failed", "channel", string(c.Channel), "errorCode", errorCode(err))
	}
	return nil
}

func (o *Outbox) send(ctx context.Context, c Contact, code string) error {
	text := message(code, o.cfg.Valid)
	switch c.Channel {
	case SMS:
		_, err := o.cfg.SMS.Publish(ctx, &sns.PublishInput{
			PhoneNumber: aws.String(c.Address),
			Message:     aws.String(text),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{
				// Transactional: delivered for reliability, not at the lowest price.
				"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
			},
		})
		if err != nil {
			return fmt.Errorf("sns publish: %w", err)
		}
	case Email:
		_, err := o.cfg.Email.SendEmail(ctx, &sesv2.SendEmailInput{
			FromEmailAddress: aws.String(o.cfg.From),
			Destination:      &sestypes.Destination{ToAddresses: []string{c.Address}},
			Content: &sestypes.EmailContent{Simple: &sestypes.Message{
				Subject: &sestypes.Content{Data: aws.String("Your vehicle ownership code"), Charset: aws.String("UTF-8")},
				Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String(text), Charset: aws.String("UTF-8")}},
			}},
		})
		if err != nil {
			return fmt.Errorf("ses send email: %w", err)
		}
	default:
		return fmt.Errorf("unknown channel %q", c.Channel)
	}
	return nil
}

// message is the text the owner receives: the code and how long it is valid, nothing about the
// vehicle (a phone number or mailbox may be shared).
func message(code string, valid time.Duration) string {
	return fmt.Sprintf("Your ownership code: %s. It is valid for %d minutes. If you did not ask for it, ignore this message.",
		code, int(valid.Minutes()))
}

// wait lasts as long as the last delivery did (bounded by ctx).
func (o *Outbox) wait(ctx context.Context) {
	d := time.Duration(o.lastSend.Load())
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// errorCode names an AWS error without its message (which may quote the address).
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return "Timeout"
	}
	return "Transport"
}

// Clients builds the SNS and SES clients from an AWS configuration (the Lambda's role and region).
func Clients(awsCfg aws.Config) (SMSAPI, EmailAPI) {
	return sns.NewFromConfig(awsCfg), sesv2.NewFromConfig(awsCfg)
}
