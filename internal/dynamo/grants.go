package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Grant says that a subject proved ownership of one vehicle and may see its personal sections
// until ExpiresAt. It is stored as
//
//	pk "VIN#<vin>", sk "GRANT#<subject>", kind "grant",
//	grantedAt, expiresAt (TimeLayout strings), method (how ownership was proven),
//	gsi1pk "SUB#<subject>", gsi1sk "GRANT#<vin>" (a subject's grants, for GET /me),
//	ttl (epoch seconds of expiresAt, for AWS TTL clean-up only).
//
// The key holds both VIN and subject, so a grant for one car can never be read as a grant for
// another: ownership-authorization reads exactly (VIN, subject) with getItem and compares
// expiresAt with the time the state was entered.
type Grant struct {
	VIN       vehicle.VIN
	Subject   string
	GrantedAt time.Time
	ExpiresAt time.Time
	Method    string // e.g. "owner-code", "registration-document"
}

// Grants reads and writes ownership grants.
type Grants struct {
	api   API
	table string
}

// NewGrants builds the grant store on table.
func NewGrants(api API, table string) *Grants { return &Grants{api: api, table: table} }

func grantSK(sub string) string { return "GRANT#" + sub }

// Get returns the subject's grant for vin, if one exists and has not expired at now.
func (g *Grants) Get(ctx context.Context, vin vehicle.VIN, subject string, now time.Time) (Grant, bool, error) {
	out, err := g.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(g.table),
		Key:            keyOf(pkOf(vin), grantSK(subject)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Grant{}, false, fmt.Errorf("get grant: %w", err)
	}
	if out.Item == nil {
		return Grant{}, false, nil
	}
	gr := Grant{VIN: vin, Subject: subject, Method: strAttr(out.Item, "method")}
	if gr.GrantedAt, err = timeAttr(out.Item, "grantedAt"); err != nil {
		return Grant{}, false, fmt.Errorf("get grant: %w", err)
	}
	if gr.ExpiresAt, err = timeAttr(out.Item, "expiresAt"); err != nil {
		return Grant{}, false, fmt.Errorf("get grant: %w", err)
	}
	if !now.Before(gr.ExpiresAt) {
		return Grant{}, false, nil
	}
	return gr, true, nil
}

// Put writes a grant; an existing grant is replaced only by one that lasts longer, so a late
// retry of an older verification cannot shorten a newer grant.
func (g *Grants) Put(ctx context.Context, gr Grant) error {
	exp := str(FormatTime(gr.ExpiresAt))
	_, err := g.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(g.table),
		Item: map[string]types.AttributeValue{
			AttrPK:      str(pkOf(gr.VIN)),
			AttrSK:      str(grantSK(gr.Subject)),
			AttrGSI1PK:  str("SUB#" + gr.Subject),
			AttrGSI1SK:  str("GRANT#" + string(gr.VIN)),
			AttrTTL:     ttl(gr.ExpiresAt),
			"kind":      str("grant"),
			"grantedAt": str(FormatTime(gr.GrantedAt)),
			"expiresAt": exp,
			"method":    str(gr.Method),
		},
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #e < :e"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#e": "expiresAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":e": exp},
	})
	if isConditionFailed(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("put grant: %w", err)
	}
	return nil
}
