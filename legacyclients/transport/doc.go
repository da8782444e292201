// Package transport is the shared resilient HTTP transport every legacy-system
// client uses (DESIGN.md principle 4: time budgets nest, retries happen once,
// and they happen here).
//
// API:
//
//	c, err := transport.New(transport.Config{System: "recalls", BaseURL: base})
//	defer c.Close()
//	resp, err := c.Do(ctx, &transport.Request{
//		Method: http.MethodGet, Path: "/recalls/" + url.PathEscape(vin),
//		Idempotent: true, Operation: "list-recalls",
//	})
//	switch {
//	case errors.Is(err, transport.ErrNotFound):    // 404: unknown VIN
//	case errors.Is(err, transport.ErrUnavailable): // degrade the section
//	case errors.Is(err, transport.ErrBadRequest):  // 400/422: our input was wrong
//	case errors.Is(err, transport.ErrBadPayload):  // oversized body
//	}
//	if decodeErr != nil { return c.BadPayload("list-recalls", resp, decodeErr) }
//
// Behaviour:
//   - Every attempt runs inside one circuit breaker per Client, so
//     the breaker counts attempts, not calls. Timeouts, connection errors,
//     truncated bodies, 429 and 5xx count as failures; 4xx, redirects and
//     oversized bodies do not (the system answered). Attempts cut short by
//     the caller's own cancellation or deadline are not counted at all.
//   - go-retryablehttp retries idempotent requests at most twice (capped),
//     with jittered capped exponential backoff, only after connection errors,
//     timeouts, truncated bodies, 429, 502, 503 and 504; never after an
//     open breaker, a 4xx, a 500 or an oversized body. Retry-After (seconds
//     or HTTP-date) is honoured when it fits the context deadline, otherwise
//     the call fails at once with ErrUnavailable ("retry_after_exceeds_deadline").
//   - Each attempt is bounded by Config.AttemptTimeout (body read included);
//     the caller's context bounds the whole call. Redirects are not followed.
//     Bodies above Config.MaxBodyBytes fail with ErrBadPayload ("oversized").
//   - One X-Ray subsegment per call, named after the system, annotated with
//     operation, outcome, attempts, breaker_state and http_status. Without a
//     parent segment nothing is traced and nothing is logged.
//   - Breaker state changes are counted (Metrics) and logged (system, from,
//     to) after the breaker releases its lock. Metrics also counts calls,
//     attempts, retries, short-circuits and failures by reason and by kind.
//   - Tests: package transporttest records emitted segments (TraceContext)
//     and logs (LogBuffer) so clients can assert that no VIN leaks.
//
// Personal data: URLs carry VINs, so no URL, path, query, header or payload
// reaches logs, metrics, trace segments or error messages. *Error prints only
// system, operation, kind, reason, status and attempt count.
package transport
