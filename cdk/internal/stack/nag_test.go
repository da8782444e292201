package stack

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// cdk-nag's AwsSolutions rules pass on every stack: each finding is fixed or suppressed in code
// with its reason next to the resource.
func TestAwsSolutionsChecksPass(t *testing.T) {
	for _, stage := range stages() {
		s := synth(t, stage)
		a := assertions.Annotations_FromStack(s.stack.Stack)
		nag := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
		for _, found := range [][]*cxapi.SynthesisMessage{ //nolint:staticcheck // the type assertions.Annotations returns
			*a.FindError(jsii.String("*"), nag), *a.FindWarning(jsii.String("*"), nag),
		} {
			for _, m := range found {
				t.Errorf("%s: %s: %v", stage, *m.Id, m.Entry.Data) //nolint:staticcheck // as above
			}
		}
	}
}
