package server

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Endpoint points an sfn client at a local endpoint (http://127.0.0.1:PORT): it sets the base
// endpoint and turns off the "sync-" host prefix StartSyncExecution and TestState put before
// AWS's host name, which names no host locally. Leave it out to reach AWS itself.
//
//	client := sfn.NewFromConfig(cfg, server.Endpoint("http://127.0.0.1:8083"))
func Endpoint(url string) func(*sfn.Options) {
	return func(o *sfn.Options) {
		o.BaseEndpoint = aws.String(url)
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("LocalNoHostPrefix",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
				}), middleware.After)
		})
	}
}
