package sms_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/smstest"
)

// One bad number does not stop a bulk send: a malformed, a repeated, a too-short NANP number
// each get their own InvalidRecipient result without a request, the valid ones are sent, and
// Send reports no error because something was accepted.
func TestSendBadRecipientsGetTheirOwnResult(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	c := sms.NewClient(rec, nil)
	res, err := c.Send(context.Background(), msg("+12025550101", "garbage", "+1 202 555 0101", "+1415555", "+12025550102"))
	require.NoError(t, err)
	require.Len(t, res, 5)
	want := []string{"+12025550101", "garbage", "+12025550101", "+1415555", "+12025550102"}
	for i, r := range res {
		require.Equal(t, want[i], r.To, "result %d", i)
	}
	require.True(t, res[0].OK())
	require.True(t, res[4].OK())
	for _, i := range []int{1, 2, 3} {
		r := res[i]
		require.Equal(t, sms.CodeInvalidRecipient, sms.ErrorCode(r.Err), "result %d: %v", i, r.Err)
		require.True(t, sms.IsNotAccepted(r.Err), "result %d", i)
		require.Zero(t, r.Attempts, "result %d: no request", i)
		require.Equal(t, 1, strings.Count(r.Err.Error(), "sms"), "the library is named once: %q", r.Err.Error())
	}
	var pe *sms.PhoneError
	require.ErrorAs(t, res[1].Err, &pe)
	require.Len(t, rec.Sent(), 2)
}

// Validate lists every bad recipient: its error unwraps to each one's error.
func TestValidateListsEveryBadRecipient(t *testing.T) {
	c := sms.NewClient(smstest.NewRecorder(nil), nil)
	to, err := c.Validate(msg("+12025550101", "abc", "+12025550101", "12"))
	require.Equal(t, []string{"+12025550101", "abc", "+12025550101", "12"}, to)
	require.Equal(t, sms.CodeInvalidRecipient, sms.ErrorCode(err))
	var multi interface{ Unwrap() []error }
	var se *sms.Error
	require.ErrorAs(t, err, &se)
	require.ErrorAs(t, se.Err, &multi)
	require.Len(t, multi.Unwrap(), 3)
	for _, e := range multi.Unwrap() {
		require.ErrorIs(t, err, e)
		require.Equal(t, sms.CodeInvalidRecipient, sms.ErrorCode(e))
	}
	require.Contains(t, err.Error(), `abc: `)
	require.Contains(t, err.Error(), `12: `)

	to, err = c.Validate(msg("+1 (202) 555-0101"))
	require.NoError(t, err)
	require.Equal(t, []string{"+12025550101"}, to)
}

// When every recipient failed, for different reasons, Send returns every result and a summary
// error with CodeUnknown that unwraps to each cause.
func TestSendNothingAcceptedSummary(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	sup := sms.SuppressorFunc(func(_ context.Context, _ sms.Sender, to string) (bool, error) {
		return to == "+12025550101", nil
	})
	c := sms.NewClient(rec, &sms.ClientOptions{Suppressor: sup})
	res, err := c.Send(context.Background(), msg("+12025550101", "not a number"))
	require.Len(t, res, 2)
	require.ErrorIs(t, res[0].Err, sms.ErrOptedOut)
	require.ErrorIs(t, res[1].Err, sms.ErrInvalidRecipient)

	require.Equal(t, sms.CodeUnknown, sms.ErrorCode(err), "the codes differ")
	require.True(t, sms.IsNotAccepted(err))
	require.ErrorIs(t, err, res[0].Err)
	require.ErrorIs(t, err, res[1].Err)
	require.ErrorIs(t, err, sms.ErrOptedOut)
	require.ErrorIs(t, err, sms.ErrInvalidRecipient)
	var pe *sms.PhoneError
	require.ErrorAs(t, err, &pe)
	require.Zero(t, rec.Calls())

	// The same code for every recipient is the summary's code.
	res, err = c.Send(context.Background(), msg("x1", "x2"))
	require.Len(t, res, 2)
	require.Equal(t, sms.CodeInvalidRecipient, sms.ErrorCode(err))
}

// wholeFailure fails every request as a whole: (nil, err).
type wholeFailure struct {
	sms.Provider
	err   error
	calls atomic.Int32
}

func (p *wholeFailure) Send(context.Context, *sms.Message) ([]sms.SendResult, error) {
	p.calls.Add(1)
	return nil, p.err
}

// A request that failed as a whole ((nil, err) from the provider) gives every recipient that
// error, code and NotAccepted unchanged: a 500 after writing stays OutcomeUnknown for each.
func TestSendRequestFailedAsAWhole(t *testing.T) {
	cause := &sms.Error{Code: sms.CodeOutcomeUnknown, HTTPStatus: 500, Message: "internal"}
	p := &wholeFailure{Provider: smstest.NewRecorder(nil), err: cause}
	c := sms.NewClient(p, nil)
	res, err := c.Send(context.Background(), msg("+12025550101", "+12025550102"))
	require.Len(t, res, 2)
	require.EqualValues(t, 1, p.calls.Load(), "one request for both, no retry")
	for _, r := range res {
		var e *sms.Error
		require.ErrorAs(t, r.Err, &e)
		require.Equal(t, sms.CodeOutcomeUnknown, e.Code)
		require.False(t, e.NotAccepted)
		require.Equal(t, 500, e.HTTPStatus)
		require.Equal(t, "recorder", e.Provider)
	}
	require.Equal(t, sms.CodeOutcomeUnknown, sms.ErrorCode(err))
	require.False(t, sms.IsNotAccepted(err))
}

// A context that ended before Send: every recipient is not attempted, and the error is both an
// *sms.Error and the context error.
func TestSendCanceledBeforeStart(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	c := sms.NewClient(rec, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := c.Send(ctx, msg("+12025550101", "+12025550102"))
	require.Len(t, res, 2)
	for _, r := range res {
		require.ErrorIs(t, r.Err, context.Canceled)
		require.True(t, sms.IsNotAccepted(r.Err))
	}
	require.ErrorIs(t, err, context.Canceled)
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, sms.CodeCanceled, e.Code)
	require.Zero(t, rec.Calls())

	// A message-level problem is reported first, whatever the context.
	_, err = c.Send(ctx, &sms.Message{To: []string{"+12025550101"}, From: sms.Sender{Value: "+12025550100"}})
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
}

// A recipient in a country the provider does not serve is that recipient's InvalidRecipient;
// +1 numbers are placed by area code, toll-free numbers count for the US and Canada.
func TestSendCountriesPerRecipient(t *testing.T) {
	caps := smstest.NewRecorder(nil).Capabilities()
	caps.Countries = []string{"US"}
	rec := smstest.NewRecorder(&smstest.RecorderOptions{Capabilities: &caps})
	c := sms.NewClient(rec, nil)
	res, err := c.Send(context.Background(), msg("+12025550101", "+14165550101", "+447911123456", "+18005550101", "+17875550101"))
	require.NoError(t, err)
	require.True(t, res[0].OK())
	require.Equal(t, sms.CodeInvalidRecipient, sms.ErrorCode(res[1].Err), "Toronto is in CA")
	require.Contains(t, res[1].Err.Error(), "(CA)")
	require.Equal(t, sms.CodeInvalidRecipient, sms.ErrorCode(res[2].Err), "+44")
	require.True(t, res[3].OK(), "toll-free reaches the US")
	require.Equal(t, sms.CodeInvalidRecipient, sms.ErrorCode(res[4].Err), "Puerto Rico is PR")
	require.Len(t, rec.Sent(), 2)
}

// Portable fields the provider cannot honour fail the message before any request, as an
// InvalidArgument wrapping errors.ErrUnsupported; a provider that declares them gets them.
func TestSendUnsupportedPortableFields(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	c := sms.NewClient(rec, nil)
	withURL := msg("+12025550101")
	withURL.CallbackURL = "https://example.test/cb"
	marketing := msg("+12025550101")
	marketing.Type = sms.TypeMarketing
	for _, m := range []*sms.Message{withURL, marketing} {
		res, err := c.Send(context.Background(), m)
		require.Nil(t, res)
		require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
		require.ErrorIs(t, err, errors.ErrUnsupported)
		require.True(t, sms.IsNotAccepted(err))
	}
	require.Zero(t, rec.Calls())

	caps := rec.Capabilities()
	caps.CallbackURL = true
	caps.MessageTypes = []sms.MessageType{sms.TypeMarketing}
	able := sms.NewClient(smstest.NewRecorder(&smstest.RecorderOptions{Capabilities: &caps}), nil)
	for _, m := range []*sms.Message{withURL, marketing} {
		_, err := able.Send(context.Background(), m)
		require.NoError(t, err)
	}
}

// extras is a provider with every optional interface.
type extras struct {
	sms.Provider
	closed atomic.Int32
}

func (p *extras) FetchStatus(_ context.Context, id string) (sms.Status, error) {
	if id == "gone" {
		return sms.StatusUnknown, context.DeadlineExceeded
	}
	return sms.StatusDelivered, nil
}
func (p *extras) CallbackMethods() []string { return []string{http.MethodOptions} }
func (p *extras) CloseIdleConnections()     { p.closed.Add(1) }
func (p *extras) ValidateSender(s sms.Sender) error {
	if s.Value == "+12025550199" {
		return errors.New("not our number")
	}
	return nil
}

// Client forwards the optional interfaces of the provider it wraps, and says "unsupported"
// (or does nothing) when the provider lacks one.
func TestClientForwardsOptionalInterfaces(t *testing.T) {
	p := &extras{Provider: smstest.NewRecorder(nil)}
	c := sms.NewClient(p, nil)

	st, err := c.FetchStatus(context.Background(), "id")
	require.NoError(t, err)
	require.Equal(t, sms.StatusDelivered, st)
	_, err = c.FetchStatus(context.Background(), "gone")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var e *sms.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, sms.CodeDeadlineExceeded, e.Code)

	require.Equal(t, []string{http.MethodOptions}, c.CallbackMethods())
	c.CloseIdleConnections()
	require.EqualValues(t, 1, p.closed.Load())
	require.NoError(t, c.ValidateSender(sms.Sender{Value: "+12025550100"}))
	err = c.ValidateSender(sms.Sender{Value: "+12025550199"})
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(c.ValidateSender(sms.Sender{Type: sms.SenderLongCode, Value: "12"})))

	bare := sms.NewClient(smstest.NewRecorder(nil), nil)
	_, err = bare.FetchStatus(context.Background(), "id")
	require.ErrorIs(t, err, errors.ErrUnsupported)
	require.Equal(t, sms.CodeUnsupported, sms.ErrorCode(err))
	require.Nil(t, bare.CallbackMethods())
	bare.CloseIdleConnections() // no panic, nothing to do
}

// Nested library errors name the library once.
func TestErrorTextNamesTheLibraryOnce(t *testing.T) {
	inner := &sms.Error{Code: sms.CodeRateLimited, Provider: "twilio", HTTPStatus: 429}
	outer := &sms.Error{Code: sms.CodeOutcomeUnknown, Provider: "twilio", Message: "earlier attempt", Err: inner}
	require.Equal(t, "sms/twilio: OutcomeUnknown: earlier attempt: RateLimited (HTTP 429)", outer.Error())
	pe := &sms.Error{Code: sms.CodeInvalidRecipient, Message: "recipient 2", Err: &sms.PhoneError{Number: "x", Reason: "no digits"}}
	require.Equal(t, `sms: InvalidRecipient: recipient 2: invalid phone number "x": no digits`, pe.Error())
}

// resultsAndError answers each request with one result per recipient from answer, and a
// non-nil error beside them, as a provider summarising its per-recipient failures would.
type resultsAndError struct {
	scripted
	answer func(call int, to []string) ([]sms.SendResult, error)
	sent   [][]string
}

func (p *resultsAndError) Capabilities() sms.Capabilities {
	return sms.Capabilities{SenderTypes: []sms.SenderType{sms.SenderLongCode}, MaxRecipients: 10}
}

func (p *resultsAndError) Send(_ context.Context, m *sms.Message) ([]sms.SendResult, error) {
	p.sent = append(p.sent, m.To)
	return p.answer(len(p.sent), m.To)
}

// A provider that returns one result per recipient and an error beside them (a summary) has
// said what happened to each recipient: the results count, not the summary. Copying the
// summary into every result would retry a recipient the vendor accepted (a duplicate), and
// would hide each recipient's own code.
func TestSendProviderResultsWithError(t *testing.T) {
	optedOut := &sms.Error{Code: sms.CodeOptedOut, VendorCode: "21610", NotAccepted: true}
	t.Run("one accepted", func(t *testing.T) {
		p := &resultsAndError{answer: func(call int, to []string) ([]sms.SendResult, error) {
			if call == 1 {
				return []sms.SendResult{{To: to[0], MessageID: "M1"}, {To: to[1], Err: throttled}}, throttled
			}
			return []sms.SendResult{{To: to[0], MessageID: "M2"}}, nil
		}}
		c := sms.NewClient(p, &sms.ClientOptions{Clock: fakeClock{}})
		res, err := c.Send(context.Background(), msg("+12025550101", "+12025550102"))
		require.NoError(t, err)
		require.Equal(t, [][]string{{"+12025550101", "+12025550102"}, {"+12025550102"}}, p.sent,
			"only the throttled recipient is sent again")
		require.Equal(t, "M1", res[0].MessageID)
		require.NoError(t, res[0].Err)
		require.Equal(t, "M2", res[1].MessageID)
		require.NoError(t, res[1].Err)
	})
	t.Run("none accepted", func(t *testing.T) {
		summary := &sms.Error{Code: sms.CodeUnknown, NotAccepted: true, Message: "none accepted"}
		p := &resultsAndError{answer: func(call int, to []string) ([]sms.SendResult, error) {
			if call == 1 {
				return []sms.SendResult{{To: to[0], Err: throttled}, {To: to[1], Err: optedOut}}, summary
			}
			return []sms.SendResult{{To: to[0], MessageID: "M2"}}, nil
		}}
		c := sms.NewClient(p, &sms.ClientOptions{Clock: fakeClock{}})
		res, err := c.Send(context.Background(), msg("+12025550101", "+12025550102"))
		require.NoError(t, err)
		require.Equal(t, [][]string{{"+12025550101", "+12025550102"}, {"+12025550101"}}, p.sent)
		require.Equal(t, "M2", res[0].MessageID)
		require.Equal(t, sms.CodeOptedOut, sms.ErrorCode(res[1].Err))
		require.True(t, sms.IsNotAccepted(res[1].Err))
	})
}

// contentRefuser is a provider whose vendor cannot carry some text the root rules allow.
type contentRefuser struct{ *smstest.Recorder }

func (c contentRefuser) ValidateMessage(m *sms.Message) error {
	if strings.Contains(m.Body, "forbidden") {
		return errors.New("the vendor cannot carry this text")
	}
	return nil
}

// A provider's MessageValidator fails the whole send before any request, with no results,
// as any other invalid message; a valid message is still sent.
func TestSendProviderMessageValidator(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	c := sms.NewClient(contentRefuser{rec}, nil)
	msg := &sms.Message{To: []string{"+14155550100", "+14155550101"}, From: sms.Sender{Type: sms.SenderLongCode, Value: "+12025550100"}, Body: "a forbidden text"}
	res, err := c.Send(context.Background(), msg)
	require.Nil(t, res)
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(err))
	require.True(t, sms.IsNotAccepted(err))
	require.Zero(t, rec.Calls())
	msg.Body = "fine"
	res, err = c.Send(context.Background(), msg)
	require.NoError(t, err)
	require.Len(t, res, 2)
}

// Client forwards MessageValidator: the same message-level check as Send, without sending.
func TestClientValidateMessage(t *testing.T) {
	rec := smstest.NewRecorder(nil)
	c := sms.NewClient(contentRefuser{rec}, nil)
	msg := &sms.Message{To: []string{"+14155550100"}, From: sms.Sender{Type: sms.SenderLongCode, Value: "+12025550100"}, Body: "forbidden"}
	require.Equal(t, sms.CodeInvalidArgument, sms.ErrorCode(c.ValidateMessage(msg)))
	msg.Body = "fine"
	require.NoError(t, c.ValidateMessage(msg))
	require.Zero(t, rec.Calls())
}
