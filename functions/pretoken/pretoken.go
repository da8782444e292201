// Package pretoken is the Cognito user pool's pre token generation trigger (event version V2_0,
// the one that can add claims to ACCESS tokens). The authorizer (internal/oidc) reads a dealer's
// id from the access token's dealer_id claim; Cognito keeps it in the custom:dealer_id user
// attribute, which the OEM identity provider's attribute mapping fills at every sign-in. This
// trigger copies it into the access token.
//
// Roles need no work here: they are the user's Cognito groups, which Cognito already puts in the
// access token's cognito:groups claim (the authorizer's role claim in AWS).
//
// Only a dealer (a member of the dealer group) signed in through the OEM's provider gets the
// claim. The app client must be able to write a mapped attribute, so a user of the pool's own
// directory (the test users of dev and qa) could set custom:dealer_id on themselves; their
// value is never copied. A value the authorizer would refuse (empty, too long) is not copied
// either, so the token carries no claim rather than a broken one.
package pretoken

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/acme-oem/vehicle-data/internal/oidc"
)

// ProviderName is the OEM's OpenID Connect provider as the user pool names it (CDK creates it
// under this name).
const ProviderName = "OEM"

// DealerAttribute is the user attribute the OEM provider's dealer id is mapped to.
const DealerAttribute = "custom:dealer_id"

// maxDealerID is the longest dealer id the authorizer accepts.
const maxDealerID = 64

// request is the part of the V2_0 event the trigger reads.
type request struct {
	UserAttributes     map[string]string `json:"userAttributes"`
	GroupConfiguration struct {
		GroupsToOverride []string `json:"groupsToOverride"`
	} `json:"groupConfiguration"`
}

// identity is one entry of the "identities" user attribute (a JSON array in a string) that
// Cognito keeps for federated users.
type identity struct {
	ProviderName string `json:"providerName"`
	ProviderType string `json:"providerType"`
}

// response is the V2_0 answer: only the access token gains a claim; nothing else is overridden
// (absent fields, not empty ones: an empty groupsToOverride would remove every group).
type response struct {
	ClaimsAndScopeOverrideDetails *overrides `json:"claimsAndScopeOverrideDetails"`
}

type overrides struct {
	AccessTokenGeneration *struct {
		ClaimsToAddOrOverride map[string]string `json:"claimsToAddOrOverride"`
	} `json:"accessTokenGeneration,omitempty"`
}

// Handle answers one trigger event: the event itself with its response set.
func Handle(_ context.Context, event json.RawMessage) (json.RawMessage, error) {
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, fmt.Errorf("pre token generation: event is not a JSON object: %w", err)
	}
	var req request
	if err := json.Unmarshal(ev["request"], &req); err != nil {
		return nil, fmt.Errorf("pre token generation: request: %w", err)
	}
	resp := response{}
	if id, ok := dealerID(req); ok {
		resp.ClaimsAndScopeOverrideDetails = &overrides{AccessTokenGeneration: &struct {
			ClaimsToAddOrOverride map[string]string `json:"claimsToAddOrOverride"`
		}{ClaimsToAddOrOverride: map[string]string{oidc.DefaultDealerClaim: id}}}
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, fmt.Errorf("pre token generation: encode response: %w", err)
	}
	ev["response"] = b
	out, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("pre token generation: encode event: %w", err)
	}
	return out, nil
}

// dealerID is the id to put in the access token: the OEM-federated dealer's custom:dealer_id.
func dealerID(req request) (string, bool) {
	if !slices.Contains(req.GroupConfiguration.GroupsToOverride, string(oidc.RoleDealer)) || !fromOEM(req.UserAttributes["identities"]) {
		return "", false
	}
	id := strings.TrimSpace(req.UserAttributes[DealerAttribute])
	if id == "" || len(id) > maxDealerID {
		return "", false
	}
	return id, true
}

// fromOEM: the user signed in through the OEM provider (the identities attribute names it).
func fromOEM(identities string) bool {
	var ids []identity
	if identities == "" || json.Unmarshal([]byte(identities), &ids) != nil {
		return false
	}
	return slices.ContainsFunc(ids, func(i identity) bool { return i.ProviderName == ProviderName && i.ProviderType == "OIDC" })
}
