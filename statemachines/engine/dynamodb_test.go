package engine_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

// startDynalite runs the pinned npm dynalite on a free loopback port and returns a client for
// it. The process is killed when the test ends.
func startDynalite(t *testing.T) *dynamodb.Client {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is required for the DynamoDB integration tests (dynalite): %v", err)
	}
	cli := filepath.Join(repoRoot(t), "node_modules", "dynalite", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("dynalite is not installed (run `make deps`): %v", err)
	}
	// A port picked by listening on :0 can be taken by another test's server before node binds
	// it; then node exits with EADDRINUSE while the port still answers, and the test would talk
	// to a stranger. Ready means our own node says it is listening; a lost port is retried.
	var addr string
	for attempt := 0; addr == "" && attempt < 5; attempt++ {
		addr = tryDynalite(t, node, cli)
	}
	if addr == "" {
		t.Fatal("dynalite did not start on any of 5 free ports")
	}
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + addr),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, nil
		}),
	})
	return client
}

// tryDynalite starts dynalite on a free port and returns its address once node reports that it
// listens, or "" when node exited first (the port was taken meanwhile).
func tryDynalite(t *testing.T, node, cli string) string {
	t.Helper()
	lc := net.ListenConfig{}
	l, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, cli, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--path", t.TempDir(),
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start dynalite: %v", err)
	}
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(strings.ToLower(sc.Text()), "listening at") {
				listening <- true
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		listening <- false // node exited without listening
	}()
	select {
	case ok := <-listening:
		if !ok {
			cancel()
			_ = cmd.Wait()
			return ""
		}
	case <-time.After(30 * time.Second):
		cancel()
		_ = cmd.Wait()
		t.Fatal("dynalite did not report listening within 30 s")
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait() // killed on purpose
	})
	return fmt.Sprintf("127.0.0.1:%d", port)
}

func TestDynamoDBIntegration(t *testing.T) {
	t.Parallel()
	client := startDynalite(t)
	ctx := t.Context()
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("cache"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("create table: %v", err)
	}
	e, _ := newEngine(t, engine.Options{DynamoDB: client})
	def := `{"StartAt":"Put","States":{
		"Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName":"${Table}",
			"Item":{"pk":{"S.$":"$.vin"},"sk":{"S":"master"},"km":{"N":"1200"},"tags":{"SS":["a"]},"meta":{"M":{"ok":{"BOOL":true},"none":{"NULL":true},"l":{"L":[{"S":"x"}]}}}},
			"ConditionExpression":"attribute_not_exists(pk)"},"ResultPath":"$.put","Next":"Get"},
		"Get":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"${Table}","Key":{"pk":{"S.$":"$.vin"},"sk":{"S":"master"}},"ConsistentRead":true},"ResultPath":"$.get","Next":"Miss"},
		"Miss":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"${Table}","Key":{"pk":{"S":"nope"},"sk":{"S":"master"}}},"ResultPath":"$.miss","Next":"Update"},
		"Update":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:updateItem","Parameters":{"TableName":"${Table}","Key":{"pk":{"S.$":"$.vin"},"sk":{"S":"master"}},
			"UpdateExpression":"SET km = :km","ExpressionAttributeValues":{":km":{"N":"1500"}},"ReturnValues":"UPDATED_NEW"},"ResultPath":"$.update","Next":"Query"},
		"Query":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:query","Parameters":{"TableName":"${Table}","KeyConditionExpression":"pk = :pk","ExpressionAttributeValues":{":pk":{"S.$":"$.vin"}},"ProjectionExpression":"km"},"ResultPath":"$.query","Next":"PutAgain"},
		"PutAgain":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName":"${Table}","Item":{"pk":{"S.$":"$.vin"},"sk":{"S":"master"}},"ConditionExpression":"attribute_not_exists(pk)"},
			"Catch":[{"ErrorEquals":["DynamoDB.ConditionalCheckFailedException"],"ResultPath":"$.conflict","Next":"Delete"}],"ResultPath":null,"Next":"Delete"},
		"Delete":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:deleteItem","Parameters":{"TableName":"${Table}","Key":{"pk":{"S.$":"$.vin"},"sk":{"S":"master"}},"ReturnValues":"ALL_OLD"},"ResultSelector":{"km.$":"$.Attributes.km"},"ResultPath":"$.deleted","End":true}}}`
	if _, err := e.Load("dynamo", []byte(def), map[string]string{"Table": "cache"}); err != nil {
		t.Fatal(err)
	}
	res, err := e.StartSyncExecution(ctx, "dynamo", []byte(`{"vin":"WVW1"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != engine.StatusSucceeded {
		t.Fatalf("%s: %s %s", res.Status, res.Error, res.Cause)
	}
	assertJSON(t, withoutSdkMetadata(t, res.Output), `{"vin":"WVW1",
		"put":{},
		"get":{"Item":{"pk":{"S":"WVW1"},"sk":{"S":"master"},"km":{"N":"1200"},"tags":{"SS":["a"]},"meta":{"M":{"ok":{"BOOL":true},"none":{"NULL":true},"l":{"L":[{"S":"x"}]}}}}},
		"miss":{},
		"update":{"Attributes":{"km":{"N":"1500"}}},
		"query":{"Count":1,"Items":[{"km":{"N":"1500"}}],"ScannedCount":1},
		"conflict":{"Error":"DynamoDB.ConditionalCheckFailedException","Cause":"`+conflictCause(t, res.Output)+`"},
		"deleted":{"km":{"N":"1500"}}}`)
	if c := conflictCause(t, res.Output); !strings.HasPrefix(c, "The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: ") {
		t.Fatalf("cause not worded as AWS: %q", c)
	}

	// A missing table is a DynamoDB service error, not a crash.
	if _, err := e.Load("missing", []byte(`{"StartAt":"G","States":{"G":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"nope","Key":{"pk":{"S":"x"},"sk":{"S":"y"}}},"End":true}}}`), nil); err != nil {
		t.Fatal(err)
	}
	res, err = e.StartSyncExecution(ctx, "missing", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	assertFailed(t, res, "DynamoDB.ResourceNotFoundException", "Error Code: ResourceNotFoundException")
}

// withoutSdkMetadata checks that every task result carries the SDK metadata Step Functions
// adds, then drops it so the API shapes can be compared exactly.
func withoutSdkMetadata(t *testing.T, output string) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(output), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"put", "get", "miss", "update", "query"} {
		r, _ := doc[k].(map[string]any)
		md, _ := r["SdkResponseMetadata"].(map[string]any)
		if id, _ := md["RequestId"].(string); id == "" {
			t.Fatalf("%s result lacks SdkResponseMetadata.RequestId: %v", k, doc[k])
		}
		if _, ok := r["SdkHttpMetadata"]; !ok {
			t.Fatalf("%s result lacks SdkHttpMetadata", k)
		}
		delete(r, "SdkResponseMetadata")
		delete(r, "SdkHttpMetadata")
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func conflictCause(t *testing.T, output string) string {
	t.Helper()
	i := strings.Index(output, `"Cause":"`)
	if i < 0 {
		t.Fatalf("no conflict cause in %s", output)
	}
	rest := output[i+len(`"Cause":"`):]
	return rest[:strings.Index(rest, `"`)]
}
