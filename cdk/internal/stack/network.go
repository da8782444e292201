package stack

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

// network is the imported VPC the legacy-calling functions run in, nil when the environment has
// none (they then reach the legacy systems' URLs directly).
type network struct {
	vpc     awsec2.IVpc
	subnets []awsec2.ISubnet
	group   awsec2.SecurityGroup
}

// legacySettings are the settings that name an on-prem legacy system.
var legacySettings = []string{
	sources.EnvVehicleMaster, sources.EnvWorkshop, sources.EnvRegistry,
	sources.EnvRecalls, sources.EnvOffers, sources.EnvDealerStock,
}

// reachesOnPrem: the function calls a legacy system, so it needs the route to on-prem.
func reachesOnPrem(st sources.Step) bool {
	return slices.ContainsFunc(st.Needs, func(n string) bool { return slices.Contains(legacySettings, n) })
}

// newNetwork imports the environment's VPC by ids (no context lookup: synth stays offline) and
// makes the legacy-calling functions' security group. Its egress is the on-prem network on 443
// and AWS services on 443 through VPC endpoints: the interface endpoints in the VPC's CIDR (SNS
// and SES for the code-sending step) and DynamoDB's gateway endpoint (its prefix list). No NAT
// route is used: it would need 0.0.0.0/0 egress, letting a function that handles VINs and
// owners' contacts talk to any host on the internet.
func newNetwork(s *Stack) *network {
	nw := s.target.Network
	if nw == nil {
		return nil
	}
	vpc := awsec2.Vpc_FromVpcAttributes(s.Stack, jsii.String("Vpc"), &awsec2.VpcAttributes{
		VpcId:             jsii.String(nw.VpcID),
		VpcCidrBlock:      jsii.String(nw.VpcCIDR),
		AvailabilityZones: jsii.Strings(nw.AvailabilityZones...),
		PrivateSubnetIds:  jsii.Strings(nw.PrivateSubnetIDs...),
	})
	sg := awsec2.NewSecurityGroup(s.Stack, jsii.String("LegacyCallers"), &awsec2.SecurityGroupProps{
		Vpc:               vpc,
		SecurityGroupName: jsii.String(s.name("legacy-callers")),
		Description:       jsii.String("Functions that call the on-prem legacy systems: HTTPS to on-prem and to AWS endpoints only"),
		AllowAllOutbound:  jsii.Bool(false),
	})
	sg.AddEgressRule(awsec2.Peer_Ipv4(jsii.String(nw.OnPremCIDR)), awsec2.Port_Tcp(jsii.Number(443)), jsii.String("Legacy systems on-prem (VPN or Direct Connect)"), jsii.Bool(false))
	sg.AddEgressRule(awsec2.Peer_Ipv4(jsii.String(nw.VpcCIDR)), awsec2.Port_Tcp(jsii.Number(443)), jsii.String("AWS interface endpoints in the VPC"), jsii.Bool(false))
	sg.AddEgressRule(awsec2.Peer_PrefixList(jsii.String(nw.DynamoDBPrefixListID)), awsec2.Port_Tcp(jsii.Number(443)), jsii.String("DynamoDB gateway endpoint"), jsii.Bool(false))
	return &network{vpc: vpc, subnets: *vpc.PrivateSubnets(), group: sg}
}

// place puts a function's props in the VPC when it reaches on-prem and the environment has one.
func (nw *network) place(st sources.Step, props *awslambda.FunctionProps) bool {
	if nw == nil || !reachesOnPrem(st) {
		return false
	}
	props.Vpc = nw.vpc
	props.VpcSubnets = &awsec2.SubnetSelection{Subnets: &nw.subnets}
	props.SecurityGroups = &[]awsec2.ISecurityGroup{nw.group}
	return true
}

// allowENIs documents the one managed policy a VPC function's role gets: Lambda creates and
// deletes the function's network interfaces with AWSLambdaVPCAccessExecutionRole, whose EC2
// actions support no resource-level scoping.
func allowENIs(role awsiam.IRole) {
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM4"),
		Reason:    jsii.String("Lambda manages a VPC function's network interfaces with AWSLambdaVPCAccessExecutionRole; its ec2:*NetworkInterface* actions take no resource scoping."),
		AppliesTo: &[]interface{}{jsii.String("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")},
	}}, jsii.Bool(true))
}
