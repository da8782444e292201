package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/listing"
)

// Similar reads seller listings as similarity candidates and counts how dealer stock is surfaced.
// It reads the listing items the seller side writes (pk "LISTING#<id>", sk "LISTING", and the
// sparse index gsi2 "ACTIVE#<make>#<model>") and never their vin or seller attributes. Its own
// items, all with a TTL so the counters clean themselves up:
//
//	pk "DEALER#<dealerId>", sk "SURFACED#<yyyy-mm-dd>#<stockId>": one stock car's impressions and
//	  clicks on one UTC day, with the car's facts (make, model, modelYear, priceEur) for the
//	  dealer's view. Counts only: nothing about who looked.
//	pk "SIMILAR#<listingId>", sk "STOCK#<stockId>": the stock car was shown beside the listing
//	  (dealerId), so a click can only be counted for a car that was really shown there.
type Similar struct {
	api   API
	table string
}

// NewSimilar builds the store on table.
func NewSimilar(api API, table string) *Similar { return &Similar{api: api, table: table} }

// SurfacedRetention is how long the counters are kept: the dealer view shows 30 days.
const SurfacedRetention = 40 * 24 * time.Hour

// maxCandidates bounds how many active listings of one model are read for one ranking: each
// segment's Query stops at its share (a partition larger than that is ranked on a part).
const maxCandidates = 20000

// DayLayout is the UTC day of the counters.
const DayLayout = "2006-01-02"

func listingKey(id string) map[string]types.AttributeValue { return keyOf("LISTING#"+id, "LISTING") }

// ActiveKey is the gsi2 partition of the active listings of one make and model.
func ActiveKey(make, model string) string { return "ACTIVE#" + make + "#" + model }

// Listing returns a listing as the car to compare with: NotFound when there is none, Gone when
// it was withdrawn.
func (s *Similar) Listing(ctx context.Context, id string) (listing.Candidate, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: listingKey(id),
		ProjectionExpression:     aws.String("#id, #st, #mk, #md, modelYear, odometerKm, priceEur, verified"),
		ExpressionAttributeNames: map[string]string{"#id": "id", "#st": "status", "#mk": "make", "#md": "model"},
	})
	if err != nil {
		return listing.Candidate{}, fmt.Errorf("get listing: %w", err)
	}
	if out.Item == nil {
		return listing.Candidate{}, apperr.New(apperr.NotFound, "no such listing")
	}
	if strAttr(out.Item, "status") != "active" {
		return listing.Candidate{}, apperr.New(apperr.Gone, "this listing was withdrawn")
	}
	c, err := candidateFromItem(out.Item)
	if err != nil {
		return listing.Candidate{}, fmt.Errorf("get listing: %w", err)
	}
	return c, nil
}

// activeSegments split a model's gsi2 partition by the first character of the listing id, so
// that a large partition (a popular model holds thousands of listings, several 1 MB pages) is
// read in parallel instead of page after page. The bounds cover every id: the first is below any
// "LISTING#<id>", the last ("LISTING$") above all, and no id equals a bound (ids are 16+
// characters), so BETWEEN, inclusive at both ends, reads each item once.
var activeSegments = []string{"LISTING#", "LISTING#2", "LISTING#4", "LISTING#6", "LISTING#a", "LISTING#e",
	"LISTING#i", "LISTING#m", "LISTING#q", "LISTING#u", "LISTING$"}

// ActiveListings returns the active listings of one make and model from gsi2. The first page is
// read alone (most models fit in it); when there is more, the rest of the partition, after the
// first page's last key, is read in parallel segments.
func (s *Similar) ActiveListings(ctx context.Context, carMake, model string) ([]listing.Candidate, error) {
	pk := ActiveKey(carMake, model)
	first, last, err := s.activePage(ctx, pk, activeSegments[0], activeSegments[len(activeSegments)-1], nil)
	if err != nil || last == "" {
		return first, err
	}
	bounds := []string{last}
	for _, b := range activeSegments {
		if b > last {
			bounds = append(bounds, b)
		}
	}
	n := len(bounds) - 1
	parts := make([][]listing.Candidate, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			parts[i], errs[i] = s.activeSegment(ctx, pk, bounds[i], bounds[i+1], (maxCandidates-len(first))/n)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := first
	for i, p := range parts {
		for _, c := range p {
			if i == 0 && "LISTING#"+c.ID == last {
				continue // the first page's last item opens the first segment (BETWEEN is inclusive)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *Similar) activeSegment(ctx context.Context, pk, lo, hi string, limit int) ([]listing.Candidate, error) {
	var out []listing.Candidate
	var start map[string]types.AttributeValue
	for {
		page, next, err := s.activeQuery(ctx, pk, lo, hi, start)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == nil || len(out) >= limit {
			return out, nil
		}
		start = next
	}
}

// activePage reads one page and returns the gsi2 sort key of its last item when more follow.
func (s *Similar) activePage(ctx context.Context, pk, lo, hi string, start map[string]types.AttributeValue) ([]listing.Candidate, string, error) {
	page, next, err := s.activeQuery(ctx, pk, lo, hi, start)
	if err != nil || next == nil {
		return page, "", err
	}
	last := strAttr(next, AttrGSI2SK)
	if last == "" {
		return nil, "", errors.New("query active listings: the last key has no gsi2 sort key")
	}
	return page, last, nil
}

func (s *Similar) activeQuery(ctx context.Context, pk, lo, hi string, start map[string]types.AttributeValue) ([]listing.Candidate, map[string]types.AttributeValue, error) {
	page, err := s.api.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(IndexGSI2),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ProjectionExpression:      aws.String("#id, #st, #mk, #md, modelYear, odometerKm, priceEur, verified"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI2PK, "#sk": AttrGSI2SK, "#id": "id", "#st": "status", "#mk": "make", "#md": "model"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":lo": str(lo), ":hi": str(hi)},
		ExclusiveStartKey:         start,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("query active listings: %w", err)
	}
	out := make([]listing.Candidate, 0, len(page.Items))
	for _, item := range page.Items {
		if strAttr(item, "status") != "active" {
			continue // the index is eventually consistent: a just-withdrawn listing may linger
		}
		c, err := candidateFromItem(item)
		if err != nil {
			continue // one malformed item must not hide the others; it has no price to rank by
		}
		out = append(out, c)
	}
	if len(page.LastEvaluatedKey) == 0 {
		return out, nil, nil
	}
	return out, page.LastEvaluatedKey, nil
}

func candidateFromItem(item map[string]types.AttributeValue) (listing.Candidate, error) {
	c := listing.Candidate{ID: strAttr(item, "id"), Kind: listing.KindListing,
		Car: listing.Car{Make: strAttr(item, "make"), Model: strAttr(item, "model")}}
	var err error
	for _, f := range []struct {
		name string
		dst  *int
	}{{"modelYear", &c.ModelYear}, {"odometerKm", &c.OdometerKm}, {"priceEur", &c.PriceEur}} {
		if *f.dst, err = intAttr(item, f.name); err != nil {
			return c, err
		}
	}
	if c.ID == "" || c.Make == "" || c.Model == "" {
		return c, errors.New("listing item: id, make or model missing")
	}
	c.Verified = cleanSnapshot(strAttr(item, "verified"))
	return c, nil
}

// cleanSnapshot says a verified snapshot is present and flags no odometer rollback anywhere in
// it (read without depending on the snapshot's exact shape: any "rollback": true counts).
func cleanSnapshot(s string) bool {
	if s == "" {
		return false
	}
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return false
	}
	return !flagged(v)
}

func flagged(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if b, ok := x.(bool); ok && b && strings.Contains(strings.ToLower(k), "rollback") {
				return true
			}
			if flagged(x) {
				return true
			}
		}
	case []any:
		for _, x := range t {
			if flagged(x) {
				return true
			}
		}
	}
	return false
}

// SurfacedCar is a stock car shown beside a listing.
type SurfacedCar struct {
	StockID  string
	DealerID string
	listing.Car
}

// RecordImpressions counts one impression for each car shown beside listingID on the day of now,
// and remembers that it was shown there. Each write is a single-item atomic ADD.
func (s *Similar) RecordImpressions(ctx context.Context, listingID string, cars []SurfacedCar, now time.Time) error {
	day := now.UTC().Format(DayLayout)
	expires := ttl(now.Add(SurfacedRetention))
	errs := make([]error, len(cars))
	var wg sync.WaitGroup
	for i, c := range cars {
		wg.Go(func() {
			_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:                aws.String(s.table),
				Key:                      keyOf("DEALER#"+c.DealerID, "SURFACED#"+day+"#"+c.StockID),
				UpdateExpression:         aws.String("ADD impressions :one SET stockId = :sid, #day = :day, #mk = :mk, #md = :md, modelYear = :y, priceEur = :p, #ttl = :ttl"),
				ExpressionAttributeNames: map[string]string{"#day": "day", "#mk": "make", "#md": "model", "#ttl": AttrTTL},
				ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":sid": str(c.StockID), ":day": str(day),
					":mk": str(c.Make), ":md": str(c.Model), ":y": num(c.ModelYear), ":p": num(c.PriceEur), ":ttl": expires},
			})
			if err == nil {
				_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
					TableName: aws.String(s.table),
					Item: map[string]types.AttributeValue{AttrPK: str("SIMILAR#" + listingID), AttrSK: str("STOCK#" + c.StockID),
						"dealerId": str(c.DealerID), AttrTTL: expires},
				})
			}
			if err != nil {
				errs[i] = fmt.Errorf("record impression: %w", err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// RecordClick counts a click on a stock car shown beside listingID and returns its dealer.
// NotFound when the car was never shown there (or too long ago).
func (s *Similar) RecordClick(ctx context.Context, listingID, stockID string, now time.Time) (string, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: keyOf("SIMILAR#"+listingID, "STOCK#"+stockID)})
	if err != nil {
		return "", fmt.Errorf("get surfaced car: %w", err)
	}
	dealer := strAttr(out.Item, "dealerId")
	if dealer == "" {
		return "", apperr.New(apperr.NotFound, "this car was not shown beside this listing")
	}
	day := now.UTC().Format(DayLayout)
	// The day's impression item may not exist when the click comes after midnight: the click
	// still counts, on the day it happened, with the car's facts copied from no impression.
	_, err = s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       keyOf("DEALER#"+dealer, "SURFACED#"+day+"#"+stockID),
		UpdateExpression:          aws.String("ADD clicks :one SET stockId = :sid, #day = :day, #ttl = :ttl"),
		ExpressionAttributeNames:  map[string]string{"#day": "day", "#ttl": AttrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":sid": str(stockID), ":day": str(day), ":ttl": ttl(now.Add(SurfacedRetention))},
	})
	if err != nil {
		return "", fmt.Errorf("record click: %w", err)
	}
	return dealer, nil
}

// SurfacedDay is one stock car's counts on one day.
type SurfacedDay struct {
	StockID     string
	Day         string // yyyy-mm-dd, UTC
	Car         listing.Car
	Impressions int
	Clicks      int
}

// Surfaced returns a dealer's counters of the days from..to (UTC, inclusive), by day then car.
func (s *Similar) Surfaced(ctx context.Context, dealerID string, from, to time.Time) ([]SurfacedDay, error) {
	in := &dynamodb.QueryInput{
		TableName:                aws.String(s.table),
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :from AND :to"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#sk": AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("DEALER#" + dealerID),
			":from": str("SURFACED#" + from.UTC().Format(DayLayout)), ":to": str("SURFACED#" + to.UTC().Format(DayLayout) + "#\uffff")},
	}
	var out []SurfacedDay
	for {
		page, err := s.api.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query surfaced stock: %w", err)
		}
		for _, item := range page.Items {
			d := SurfacedDay{StockID: strAttr(item, "stockId"), Day: strAttr(item, "day"),
				Car: listing.Car{Make: strAttr(item, "make"), Model: strAttr(item, "model")}}
			d.Car.ModelYear, _ = intAttr(item, "modelYear") // absent on a click-only day
			d.Car.PriceEur, _ = intAttr(item, "priceEur")
			d.Impressions, _ = intAttr(item, "impressions")
			d.Clicks, _ = intAttr(item, "clicks")
			out = append(out, d)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
