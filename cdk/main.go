// Command cdk is the vehicle-data CDK app: `make synth` synthesizes dev, qa and prod into
// cdk/cdk.out; `-c env=<env>` restricts to one environment and `-c stage=<name>` builds a
// per-developer stage instead (see the README, "Deploy to AWS").
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-oem/vehicle-data/cdk/internal/envconfig"
	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
	"github.com/acme-oem/vehicle-data/cdk/internal/stack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "cdk:", err)
		os.Exit(1)
	}
}

func run() error {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	str := func(key string) string {
		if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok {
			return v
		}
		return ""
	}
	root, err := sources.Root()
	if err != nil {
		return err
	}
	cfg, err := envconfig.Load(filepath.Join(root, "cdk", "environments.json"))
	if err != nil {
		return err
	}
	// The site's build ships when it exists (CI builds it once before synth); otherwise the
	// bucket gets config.json alone.
	siteDir := filepath.Join(root, "frontend", "dist")
	if _, err := os.Stat(filepath.Join(siteDir, "index.html")); err != nil {
		fmt.Fprintln(os.Stderr, "cdk: frontend/dist/index.html not found: the site bucket gets config.json only")
		siteDir = ""
	}
	if _, err := stack.Build(app, stack.AppOptions{
		Config: cfg, Env: str("env"), Stage: str("stage"), Root: root,
		LambdaAssetDir: filepath.Join(root, "bin", "lambda"), SiteDir: siteDir, Nag: true,
	}); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}
