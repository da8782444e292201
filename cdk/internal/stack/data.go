package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

type data struct {
	table awsdynamodb.Table
	// pseudonymKey keys the pseudonyms logs carry instead of VINs; pepper keys the stored
	// ownership codes.
	pseudonymKey awssecretsmanager.Secret
	pepper       awssecretsmanager.Secret
}

func newData(s *Stack) *data {
	d := sources.TableDesign()
	str := awsdynamodb.AttributeType_STRING
	table := awsdynamodb.NewTable(s.Stack, jsii.String("Table"), &awsdynamodb.TableProps{
		TableName:    jsii.String(s.name()),
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(d.PK), Type: str},
		SortKey:      &awsdynamodb.Attribute{Name: jsii.String(d.SK), Type: str},
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption: awsdynamodb.TableEncryption_AWS_MANAGED,
		// TTL only trims expired items in AWS; the code checks expiry itself.
		TimeToLiveAttribute: jsii.String(d.TTL),
		DeletionProtection:  jsii.Bool(!s.disposable()),
		RemovalPolicy:       s.removal(),
	})
	for _, ix := range d.Indexes {
		table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(ix.Name),
			PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String(ix.PK), Type: str},
			SortKey:        &awsdynamodb.Attribute{Name: jsii.String(ix.SK), Type: str},
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}

	secret := func(id, name, why string) awssecretsmanager.Secret {
		sec := awssecretsmanager.NewSecret(s.Stack, jsii.String(id), &awssecretsmanager.SecretProps{
			SecretName:  jsii.String(s.name(name)),
			Description: jsii.String(why),
			GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
				PasswordLength:     jsii.Number(64),
				ExcludePunctuation: jsii.Bool(true),
			},
			RemovalPolicy: s.removal(),
		})
		cdknag.NagSuppressions_AddResourceSuppressions(sec, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-SMG4"),
			Reason: jsii.String("Not rotated automatically: the pseudonym key must stay stable for log pseudonyms to correlate, " +
				"and rotating the pepper invalidates every open ownership challenge; both are rotated by a planned deploy."),
		}}, jsii.Bool(false))
		return sec
	}
	return &data{
		table:        table,
		pseudonymKey: secret("PseudonymKey", "pseudonym-key", "Key of the pseudonyms that logs carry instead of VINs"),
		pepper:       secret("OwnershipPepper", "ownership-pepper", "Key under which ownership codes are stored as HMACs"),
	}
}

// indexArn is the ARN pattern of the table's indexes.
func (d *data) indexArn() *string {
	return jsii.String(*d.table.TableArn() + "/index/*")
}
