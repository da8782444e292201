package envconfig

import (
	"os"
	"strings"
	"testing"
)

func load(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../environments.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTheConfigurationLoads(t *testing.T) {
	f, err := Parse(load(t))
	if err != nil {
		t.Fatal(err)
	}
	if f.Environments["prod"].Account == f.Environments["dev"].Account {
		t.Error("prod must live in its own account")
	}
	all, err := f.Targets("", "")
	if err != nil || len(all) != 3 || all[0].Stage != "dev" || all[2].Stage != "prod" || all[0].Developer {
		t.Fatalf("targets %v, %v", all, err)
	}
	one, err := f.Targets("qa", "")
	if err != nil || len(one) != 1 || one[0].Env != "qa" {
		t.Fatalf("-c env=qa: %v, %v", one, err)
	}
	dev, err := f.Targets("", "alice")
	if err != nil || len(dev) != 1 || dev[0].Stage != "alice" || dev[0].Env != f.DeveloperStageBase || !dev[0].Developer ||
		dev[0].Account != f.Environments[f.DeveloperStageBase].Account {
		t.Fatalf("-c stage=alice: %v, %v", dev, err)
	}
}

func TestBadTargetsAreRefused(t *testing.T) {
	f, err := Parse(load(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ env, stage, want string }{
		{"staging", "", "unknown environment"},
		{"", "Alice", "stage"},
		{"", "dev", "stage"},
		{"", "averyveryverylongname", "stage"},
		{"", "a-b", "stage"},
		{"prod", "alice", "prod"},
	} {
		if _, err := f.Targets(c.env, c.stage); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("env %q stage %q: %v, want an error about %s", c.env, c.stage, err, c.want)
		}
	}
}

func TestBadConfigurationsAreRefused(t *testing.T) {
	good := string(load(t))
	for name, c := range map[string]struct{ from, to, want string }{
		"typo":             {`"testUsers"`, `"testUser"`, "unknown field"},
		"two providers":    {`"createGithubOidcProvider": false`, `"createGithubOidcProvider": true`, "exactly one environment"},
		"bad account":      {`"account": "222222222222"`, `"account": "2222"`, "12 digits"},
		"zero size":        {`"apiRateLimit": 500`, `"apiRateLimit": 0`, "positive"},
		"prod developers":  {`"developerStageBase": "dev"`, `"developerStageBase": "prod"`, "developerStageBase"},
		"sender elsewhere": {`"sender": "vehicle-codes@dev.acme-oem.example"`, `"sender": "vehicle-codes@other.example"`, "codeDelivery"},
		"no identity":      {`"emailIdentity": "qa.acme-oem.example"`, `"emailIdentity": ""`, "codeDelivery"},
	} {
		bad := strings.Replace(good, c.from, c.to, 1)
		if bad == good {
			t.Fatalf("%s: %q not in environments.json", name, c.from)
		}
		if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %s", name, err, c.want)
		}
	}
}

// A network is optional, and when given it must be complete and well-formed: a half-configured
// VPC would put functions in subnets that cannot reach on-prem.
func TestNetworkIsCheckedWhenGiven(t *testing.T) {
	b := string(load(t))
	const good = `"onPremCidr": "10.0.0.0/12"`
	if !strings.Contains(b, good) {
		t.Fatal("environments.json has no network to vary")
	}
	for name, c := range map[string]struct{ from, to string }{
		"bad cidr":       {good, `"onPremCidr": "10.0.0.0"`},
		"bad vpc":        {`"vpcId": "vpc-0a1b2c3d4e5f60718"`, `"vpcId": "vpc-x"`},
		"zone count":     {`"availabilityZones": ["eu-central-1a", "eu-central-1b"], "privateSubnetIds": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]`, `"availabilityZones": ["eu-central-1a"], "privateSubnetIds": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]`},
		"zone of region": {`"availabilityZones": ["eu-central-1a", "eu-central-1b"], "privateSubnetIds": ["subnet-0a1b2c3d4e5f60001"`, `"availabilityZones": ["us-east-1a", "eu-central-1b"], "privateSubnetIds": ["subnet-0a1b2c3d4e5f60001"`},
		"no prefix list": {`"dynamoDbPrefixListId": "pl-6ea54007"`, `"dynamoDbPrefixListId": ""`},
	} {
		bad := strings.Replace(b, c.from, c.to, 1)
		if bad == b {
			t.Fatalf("%s: the fixture did not change", name)
		}
		if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), ".network:") {
			t.Errorf("%s: %v", name, err)
		}
	}
	f, err := Parse([]byte(b))
	if err != nil {
		t.Fatal(err)
	}
	if f.Environments["dev"].Network != nil || f.Environments["prod"].Network == nil {
		t.Error("dev (and so developer stages) must run without a VPC, prod in one")
	}
}
