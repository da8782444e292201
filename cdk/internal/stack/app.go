package stack

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-oem/vehicle-data/cdk/internal/envconfig"
)

// AppOptions say what to synthesize.
type AppOptions struct {
	Config *envconfig.File
	// Env restricts to one environment (-c env=...); Stage builds a developer stage (-c stage=...).
	Env, Stage     string
	Root           string
	LambdaAssetDir string
	SiteDir        string
	// Nag applies cdk-nag's AwsSolutions checks to every stack.
	Nag bool
}

// Build adds the stacks of the selected targets to app.
func Build(app awscdk.App, o AppOptions) ([]*Stack, error) {
	if _, err := os.Stat(filepath.Join(o.LambdaAssetDir, "bootstrap")); err != nil {
		return nil, fmt.Errorf("the Lambda binary is missing (run make build): %w", err)
	}
	targets, err := o.Config.Targets(o.Env, o.Stage)
	if err != nil {
		return nil, err
	}
	var out []*Stack
	for _, t := range targets {
		s, err := New(app, Props{Target: t, Root: o.Root, LambdaAssetDir: o.LambdaAssetDir, SiteDir: o.SiteDir})
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", envconfig.StackName(t.Stage), err)
		}
		out = append(out, s)
	}
	if o.Nag {
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	}
	return out, nil
}
