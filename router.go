package sms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Route is one (provider, sender) pair of a Router: the Client of one provider, with its own
// options (limiter, suppressor, retries, middleware), and the sender that route sends from.
type Route struct {
	Client *Client
	From   Sender
}

// Router sends a message through an ordered list of routes, moving a recipient to the next
// route only when its error proves the previous one did not accept it (CanFailover).
//
// # One root layer per route
//
// A Router is not a Provider, on purpose: a Client wrapped around it would run the root layer
// (validation, suppression, limits, retries) once, outside, and the routes' Clients, reached
// with the layer's mark in the context, would skip theirs. So a Router cannot be given to
// NewClient, to another Router or to webhook.Handler. Instead each route's Client runs its
// own layer for every attempt: the message is validated against that provider's capabilities
// with that route's sender, suppression is checked for that sender, the limiter is asked
// once per vendor request under that provider and sender, and retries follow that Client's
// policy. Router.Send drops the mark of an enclosing Client from the context, so even a
// Router called from inside middleware runs each child's layer.
//
// Suppression is checked per route, under that route's sender: give every route's Client the
// same Consent, and put the routes' senders in one suppression scope (one owner tag: see
// Consent.Scope; the registry refuses a route whose senders do not share one), so that a STOP
// received by one sender stops the routes that stand in for it.
//
// # Which route
//
// Message.From must be empty: every route sends from its own sender (a message that names a
// sender is refused with CodeInvalidArgument; send from one sender through its Client, or a
// registry's named sender, instead). A route whose Client refuses the message itself (body
// over that vendor's limit, a Message.Type or per-message callback URL it cannot honour) is
// skipped for the whole message; when every route refuses it, Send returns the first route's
// error and no results. Each recipient is normalised to E.164 first (malformed and repeated
// recipients get CodeInvalidRecipient and are never sent), then goes, in route order, to the
// routes whose Capabilities serve its country (Capabilities.Serves: a provider serving only
// the US and Canada is skipped for +44 numbers); a recipient that no route serves gets
// CodeInvalidRecipient. The recipients a route serves go to it in one Client.Send (the Client
// splits them into vendor requests), so in a batch only the recipients that failed safely move
// on, together, to the next route.
//
// # Results
//
// Send returns one SendResult per recipient, in msg.To order, as Client.Send does; its
// Provider and From name the route that decided the recipient's outcome (the one that
// accepted it, or the last one tried), and Attempts counts the vendor requests of every route
// tried. Its IdempotencyKey is the one that route sent with: the message's (or one Router.Send
// generates) on the first route, that key with "/2", "/3", … appended on the later ones, so
// that two routes on one de-duplicating vendor account (ACS) never reuse a key for a
// different request.
// When no recipient was accepted the error is not nil, built as Client.Send builds it.
//
// A recipient whose error is CodeOutcomeUnknown may have been accepted by that route: it is
// never tried elsewhere. To resend it safely, resend through the same route's Client (its
// result's Provider and From say which), as Message.IdempotencyKey describes — not through
// the Router, which could move it to another vendor if the first now refuses.
//
// # Callbacks
//
// Delivery reports and inbound messages come from each vendor to that vendor's webhook URL,
// not through the Router: mount one webhook.Handler per route's Client (or per provider, when
// routes share one) at the callback URL configured for that vendor. The events name the
// provider and carry the vendor message id that the SendResult had, so an application
// correlates them by (Provider, MessageID) or by Message.Reference, which every route sends.
//
// A Router is safe for concurrent use; its routes are fixed at NewRouter.
type Router struct {
	routes []Route
}

// NewRouter returns a Router over routes, tried in order. Each route needs a Client and a
// sender that Client accepts (Client.ValidateSender); a route repeated (same Client and
// sender value) is refused too. Every problem is reported at once: the error joins one
// CodeInvalidArgument *Error per bad route, each naming the route by position.
func NewRouter(routes ...Route) (*Router, error) {
	var errs []error
	if len(routes) == 0 {
		errs = append(errs, invalidf("router: no routes"))
	}
	type pair struct {
		c *Client
		v string
	}
	seen := map[pair]int{}
	for i, rt := range routes {
		at := fmt.Sprintf("router: route %d", i+1)
		if rt.Client == nil {
			errs = append(errs, invalidf("%s: no Client", at))
			continue
		}
		at += " (" + rt.Client.Name() + " " + rt.From.Value + ")"
		if err := rt.Client.ValidateSender(rt.From); err != nil {
			e := &Error{Code: CodeInvalidArgument, Provider: rt.Client.Name(), NotAccepted: true, Message: at, Err: err}
			errs = append(errs, e)
			continue
		}
		k := pair{rt.Client, rt.From.Value}
		if j, dup := seen[k]; dup {
			errs = append(errs, invalidf("%s repeats route %d", at, j+1))
			continue
		}
		seen[k] = i
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Router{routes: append([]Route(nil), routes...)}, nil
}

// Routes returns a copy of the router's routes, in order.
func (r *Router) Routes() []Route { return append([]Route(nil), r.routes...) }

// CanFailover reports whether a recipient whose send failed with err may be sent through
// another provider: only when err proves that the provider did not accept the message
// (IsNotAccepted) and another provider could do better. That is, the codes
// CodeUnauthenticated, CodePermissionDenied (a sender or region not enabled for this
// account), CodeRateLimited (once the route's own retries gave up), CodeUnavailable (a
// refused connection, a request that was never written, a vendor answer documented as not
// processed, a limiter that could not decide) and CodeNotFound (a wrong endpoint), each with
// NotAccepted set — including a recipient a vendor refused on its own ("not sent") with one
// of these codes.
//
// It is false for nil; for CodeOutcomeUnknown (the message may have been accepted: sending it
// elsewhere could text the recipient twice); for CodeOptedOut (another vendor would text
// someone who said STOP); for CodeInvalidArgument and CodeInvalidRecipient (another vendor
// would fail the same way); for CodeInternal (it may be a consent check that failed); for
// context errors (the caller gave up); and for any code not listed above, including those a
// future version adds.
func CanFailover(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var e *Error
	if !errors.As(err, &e) || !e.NotAccepted {
		return false
	}
	switch e.Code {
	case CodeUnauthenticated, CodePermissionDenied, CodeRateLimited, CodeUnavailable, CodeNotFound:
		return true
	}
	return false
}

// routerName is the Provider of the errors the Router itself makes.
const routerName = "router"

// Send sends msg through the routes; see Router for the rules. A problem with the message
// itself (nil, no recipients, Message.From set, or refused by every route's Client) returns no
// results and a CodeInvalidArgument *Error.
func (r *Router) Send(ctx context.Context, msg *Message) ([]SendResult, error) {
	switch {
	case msg == nil:
		return nil, invalidf("nil message")
	case len(msg.To) == 0:
		return nil, invalidf("no recipients")
	case msg.From != (Sender{}):
		return nil, invalidf("Message.From is set: a Router sends from its routes' senders")
	}
	if ctx.Value(layerKey{}) != nil {
		ctx = context.WithValue(ctx, layerKey{}, nil) // each child runs its own layer
	}

	// Routes that can carry this message at all: checked in order up to the first that can
	// (none → the message's own problem), the later ones only when a recipient reaches them.
	usable := make([]int8, len(r.routes)) // 0 unchecked, 1 usable, -1 refuses the message
	var refused error                     // the first refusal, in route order
	canCarry := func(i int) bool {
		if usable[i] == 0 {
			m := msg.clone(msg.To)
			m.From = r.routes[i].From
			usable[i] = 1
			if err := r.routes[i].Client.ValidateMessage(m); err != nil {
				usable[i] = -1
				if refused == nil {
					refused = err
				}
			}
		}
		return usable[i] > 0
	}
	carried := false
	for i := range r.routes {
		if carried = canCarry(i); carried {
			break
		}
	}
	if !carried {
		return nil, refused
	}

	to, bad := checkRecipients(routerName, Capabilities{}, msg.To)
	key := msg.IdempotencyKey
	if key == "" {
		key = newKey()
	}
	results := make([]SendResult, len(to))
	last := make([]int, len(to)) // the route that last tried each recipient, -1 for none
	pending := make([]int, 0, len(to))
	for i, n := range to {
		last[i] = -1
		results[i] = SendResult{To: n, IdempotencyKey: key}
		if bad != nil && bad[i] != nil {
			results[i].Err = bad[i]
			continue
		}
		pending = append(pending, i)
	}

	for ri := 0; ri < len(r.routes) && len(pending) > 0; ri++ {
		rt := r.routes[ri]
		caps := rt.Client.Capabilities()
		var batch, next []int
		for _, i := range pending {
			if caps.Serves(to[i]) {
				batch = append(batch, i)
			} else {
				next = append(next, i)
			}
		}
		if len(batch) == 0 || !canCarry(ri) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		bto := make([]string, len(batch))
		for j, i := range batch {
			bto[j] = to[i]
		}
		m := msg.clone(bto)
		m.From, m.IdempotencyKey = rt.From, routeKey(key, ri)
		res, err := rt.Client.Send(ctx, m)
		for j, i := range batch {
			prev := results[i].Attempts
			if len(res) == len(batch) {
				results[i] = res[j]
				results[i].To = to[i]
			} else { // the Client refused the message as a whole (it changed since ValidateMessage)
				if err == nil {
					err = &Error{Code: CodeOutcomeUnknown, Message: fmt.Sprintf("client returned %d results for %d recipients", len(res), len(batch))}
				}
				results[i] = SendResult{To: to[i], IdempotencyKey: m.IdempotencyKey, Provider: rt.Client.Name(), From: rt.From,
					Err: wrapErr(rt.Client.Name(), err)}
			}
			results[i].Attempts += prev
			last[i] = ri
			if CanFailover(results[i].Err) {
				next = append(next, i)
			}
		}
		slices.Sort(next)
		pending = next
	}

	// What is left was not accepted anywhere: never tried (no route serves it, or the context
	// ended first), or failed safely on the last route that serves it.
	for _, i := range pending {
		res := &results[i]
		cerr := ctx.Err()
		switch {
		case last[i] < 0 && cerr != nil:
			res.Err = contextError(routerName, cerr)
		case last[i] < 0:
			res.Err = &Error{Code: CodeInvalidRecipient, Provider: routerName, NotAccepted: true,
				Message: fmt.Sprintf("recipient %d: %s (%s) is in no country served by a route that can carry this message", i+1, to[i], countries(to[i]))}
		case cerr != nil && r.serves(last[i]+1, to[i], canCarry):
			e := contextError(routerName, cerr)
			e.Message = "not failed over after: " + trimPrefix(res.Err.Error())
			res.Err = e
		}
	}

	ok := 0
	for _, res := range results {
		if res.Err == nil {
			ok++
		}
	}
	if ok > 0 {
		return results, nil
	}
	if len(results) == 1 {
		return results, results[0].Err
	}
	return results, summarize(routerName, results)
}

// serves reports whether a route from index start on can carry the message and serves
// number: whether the context's end, rather than the routes running out, stopped a failover.
func (r *Router) serves(start int, number string, canCarry func(int) bool) bool {
	for i := start; i < len(r.routes); i++ {
		if r.routes[i].Client.Capabilities().Serves(number) && canCarry(i) {
			return true
		}
	}
	return false
}

// routeKey is the IdempotencyKey route i sends with: key for the first route, key + "/" and
// the route's number (from 1) for the others, so that two routes on one de-duplicating vendor
// account never send two different requests under one key.
func routeKey(key string, i int) string {
	if i == 0 {
		return key
	}
	return key + "/" + strconv.Itoa(i+1)
}

// countries names the countries number may belong to, for an error message.
func countries(number string) string {
	if cs := PhoneCountries(number); len(cs) > 0 {
		return strings.Join(cs, "/")
	}
	return "no country"
}
