package stack

import (
	"slices"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

// Where the environment has a network, exactly the functions that call a legacy system run in
// its private subnets, in a security group whose only egress is HTTPS to on-prem and to the AWS
// endpoints; their roles gain only the managed ENI policy. Without one (dev, a developer stage)
// no function is in a VPC.
func TestLegacyCallersReachOnPremThroughTheVPC(t *testing.T) {
	inVPC := 0
	for _, stage := range stages() {
		st := synth(t, stage)
		d, nw := st.doc, st.stack.target.Network
		groups := d.ofType("AWS::EC2::SecurityGroup")
		if nw == nil {
			if len(groups) != 0 {
				t.Errorf("%s: security groups %v without a network", stage, groups)
			}
		} else if len(groups) != 1 {
			t.Fatalf("%s: security groups %v, want the legacy callers' one", stage, groups)
		}
		for _, f := range sources.Functions() {
			id, fn := d.byProp(t, "AWS::Lambda::Function", "FunctionName", "vehicle-data-"+stage+"-"+f.Name)
			vpc := props(fn.Properties["VpcConfig"])
			want := nw != nil && reachesOnPrem(f)
			if (vpc != nil) != want {
				t.Errorf("%s: %s in a VPC = %v, want %v", stage, f.Name, vpc != nil, want)
				continue
			}
			role := d.Resources[refOf(fn.Properties["Role"])]
			managed := str(role.Properties["ManagedPolicyArns"])
			if strings.Contains(managed, "AWSLambdaVPCAccessExecutionRole") != want || (!want && role.Properties["ManagedPolicyArns"] != nil) {
				t.Errorf("%s: %s: managed policies %s", stage, id, managed)
			}
			if !want {
				continue
			}
			inVPC++
			var subnets []string
			for _, s := range list(vpc["SubnetIds"]) {
				subnets = append(subnets, str(s))
			}
			if !slices.Equal(subnets, nw.PrivateSubnetIDs) {
				t.Errorf("%s: %s: subnets %v, want %v", stage, f.Name, subnets, nw.PrivateSubnetIDs)
			}
			if sgs := list(vpc["SecurityGroupIds"]); len(sgs) != 1 || refOf(sgs[0]) != groups[0] {
				t.Errorf("%s: %s: security groups %v", stage, f.Name, sgs)
			}
		}
		if nw == nil {
			continue
		}
		sg := d.Resources[groups[0]].Properties
		if sg["SecurityGroupIngress"] != nil {
			t.Errorf("%s: ingress %v", stage, sg["SecurityGroupIngress"])
		}
		// Rules inline in the group, and those CloudFormation keeps as resources of their own.
		rules := list(sg["SecurityGroupEgress"])
		for _, id := range d.ofType("AWS::EC2::SecurityGroupEgress") {
			if p := d.Resources[id].Properties; refOf(p["GroupId"]) == groups[0] {
				rules = append(rules, p)
			}
		}
		var egress []string
		for _, r := range rules {
			r := props(r)
			if r["IpProtocol"] != "tcp" || r["FromPort"] != float64(443) || r["ToPort"] != float64(443) {
				t.Errorf("%s: egress beyond HTTPS: %v", stage, r)
			}
			egress = append(egress, str(r["CidrIp"])+str(r["DestinationPrefixListId"]))
		}
		slices.Sort(egress)
		want := []string{nw.OnPremCIDR + "null", nw.VpcCIDR + "null", "null" + nw.DynamoDBPrefixListID}
		slices.Sort(want)
		if !slices.Equal(egress, want) {
			t.Errorf("%s: egress %v, want on-prem, the VPC's endpoints and DynamoDB's prefix list %v", stage, egress, want)
		}
	}
	if inVPC == 0 {
		t.Error("no environment puts a function in a VPC: environments.json has no network to test")
	}
}
