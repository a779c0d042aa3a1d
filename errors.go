package sms

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Code is the portable classification of a failure. Applications branch on it (or on the
// matching sentinel with errors.Is) instead of on vendor error numbers.
type Code int

// The portable error codes.
const (
	CodeUnknown          Code = iota // not classified
	CodeInvalidArgument              // the message, a number or an option is malformed
	CodeUnauthenticated              // the vendor rejected the credentials
	CodePermissionDenied             // the credentials may not do this (region, sender not owned…)
	CodeRateLimited                  // the vendor throttled the request
	CodeUnavailable                  // the vendor could not be reached or is down
	CodeInvalidRecipient             // the recipient number cannot receive SMS
	CodeOptedOut                     // the recipient opted out of messages from this sender
	CodeOutcomeUnknown               // the request may or may not have been accepted
	CodeInternal                     // a vendor-side error after acceptance, or a bug
	CodeNotFound                     // the resource (message id) does not exist
	CodeCanceled                     // the context was canceled
	CodeDeadlineExceeded             // the context deadline passed
	CodeUnsupported                  // the provider does not support the operation or option
)

var codeNames = [...]string{
	CodeUnknown:          "Unknown",
	CodeInvalidArgument:  "InvalidArgument",
	CodeUnauthenticated:  "Unauthenticated",
	CodePermissionDenied: "PermissionDenied",
	CodeRateLimited:      "RateLimited",
	CodeUnavailable:      "Unavailable",
	CodeInvalidRecipient: "InvalidRecipient",
	CodeOptedOut:         "OptedOut",
	CodeOutcomeUnknown:   "OutcomeUnknown",
	CodeInternal:         "Internal",
	CodeNotFound:         "NotFound",
	CodeCanceled:         "Canceled",
	CodeDeadlineExceeded: "DeadlineExceeded",
	CodeUnsupported:      "Unsupported",
}

// String returns the code's name, e.g. "RateLimited".
func (c Code) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// MarshalText implements encoding.TextMarshaler with the name String returns.
func (c Code) MarshalText() ([]byte, error) { return enumMarshal(codeNames[:], int(c), "code") }

// UnmarshalText implements encoding.TextUnmarshaler; a name String does not return is an error.
func (c *Code) UnmarshalText(b []byte) error {
	return enumUnmarshal(codeNames[:], (*int)(c), b, "code")
}

// Sentinels, one per code: errors.Is(err, sms.ErrRateLimited) is true for every *Error whose
// Code is CodeRateLimited.
var (
	ErrUnknown          = errors.New("sms: unknown error")
	ErrInvalidArgument  = errors.New("sms: invalid argument")
	ErrUnauthenticated  = errors.New("sms: unauthenticated")
	ErrPermissionDenied = errors.New("sms: permission denied")
	ErrRateLimited      = errors.New("sms: rate limited")
	ErrUnavailable      = errors.New("sms: unavailable")
	ErrInvalidRecipient = errors.New("sms: invalid recipient")
	ErrOptedOut         = errors.New("sms: recipient opted out")
	ErrOutcomeUnknown   = errors.New("sms: outcome unknown")
	ErrInternal         = errors.New("sms: internal error")
	ErrNotFound         = errors.New("sms: not found")
	ErrUnsupported      = errors.New("sms: unsupported")
)

// sentinel returns the sentinel for c; canceled and deadline codes use the context errors.
func (c Code) sentinel() error {
	switch c {
	case CodeInvalidArgument:
		return ErrInvalidArgument
	case CodeUnauthenticated:
		return ErrUnauthenticated
	case CodePermissionDenied:
		return ErrPermissionDenied
	case CodeRateLimited:
		return ErrRateLimited
	case CodeUnavailable:
		return ErrUnavailable
	case CodeInvalidRecipient:
		return ErrInvalidRecipient
	case CodeOptedOut:
		return ErrOptedOut
	case CodeOutcomeUnknown:
		return ErrOutcomeUnknown
	case CodeInternal:
		return ErrInternal
	case CodeNotFound:
		return ErrNotFound
	case CodeCanceled:
		return context.Canceled
	case CodeDeadlineExceeded:
		return context.DeadlineExceeded
	case CodeUnsupported:
		return errors.ErrUnsupported
	}
	return ErrUnknown
}

// Error is the one error type of the library. Providers return it for every vendor failure;
// the root layer wraps anything else into it.
//
// Unwrap returns both the sentinel of Code and the cause, so errors.Is(err, sms.ErrOptedOut),
// errors.Is(err, context.Canceled) and errors.As(err, &vendorErr) all work. The Error() text is
// for people and is not a contract.
type Error struct {
	Code       Code          // portable classification
	Provider   string        // provider name, e.g. "twilio"
	HTTPStatus int           // the vendor's HTTP status, 0 if none was received
	VendorCode string        // the vendor's own error code, e.g. "21610"
	Message    string        // the vendor's or the library's description
	RequestID  string        // the vendor's request id, for support tickets
	RetryAfter time.Duration // how long the vendor asked to wait, 0 if it did not say

	// NotAccepted is true only when the library can prove the vendor did not accept the
	// message: the connection was refused before the request was written, the vendor
	// documents the answer as "never processed" (a 429), validation failed before any
	// request, or the recipient was never attempted. Only such failures are retried or
	// failed over to another vendor.
	NotAccepted bool

	Err error // the underlying cause, if any
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sms")
	if e.Provider != "" {
		b.WriteString("/")
		b.WriteString(e.Provider)
	}
	b.WriteString(": ")
	b.WriteString(e.Code.String())
	if e.HTTPStatus != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		if e.VendorCode != "" {
			b.WriteString(", code ")
			b.WriteString(e.VendorCode)
		}
		b.WriteString(")")
	} else if e.VendorCode != "" {
		b.WriteString(" (code ")
		b.WriteString(e.VendorCode)
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		if cause := trimPrefix(e.Err.Error()); !strings.Contains(e.Message, cause) {
			b.WriteString(": ")
			b.WriteString(cause)
		}
	}
	if e.RequestID != "" {
		b.WriteString(" [request ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// trimPrefix drops the "sms: " or "sms/provider: " prefix of a nested error's text, so that an
// *Error wrapping another library error names the library once.
func trimPrefix(s string) string {
	if !strings.HasPrefix(s, "sms") || len(s) < 5 {
		return s
	}
	switch s[3] {
	case ':':
		if s[4] == ' ' {
			return s[5:]
		}
	case '/':
		if i := strings.Index(s, ": "); i > 4 && !strings.ContainsAny(s[4:i], " :") {
			return s[i+2:]
		}
	}
	return s
}

// Unwrap returns the sentinel of e.Code and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Code.sentinel()}
	}
	return []error{e.Code.sentinel(), e.Err}
}

// ErrorCode returns the portable code of err: CodeUnknown for a foreign error, the code of the
// outermost *Error otherwise; context errors map to CodeCanceled and CodeDeadlineExceeded.
// ErrorCode(nil) is CodeUnknown.
func ErrorCode(err error) Code {
	var e *Error
	switch {
	case err == nil:
		return CodeUnknown
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, context.Canceled):
		return CodeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return CodeDeadlineExceeded
	}
	return CodeUnknown
}

// IsNotAccepted reports whether err proves that the vendor did not accept the message, so
// that sending it again (or through another vendor) cannot make a duplicate.
func IsNotAccepted(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.NotAccepted
	}
	return false
}

// Errorf builds an *Error with a formatted message; a convenience for providers.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// invalidf is the library's InvalidArgument: always proved not accepted (no request was made).
func invalidf(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidArgument, Message: fmt.Sprintf(format, args...), NotAccepted: true}
}

// notAttempted is the Message of NotAttempted errors.
const notAttempted = "not attempted"

// NotAttempted returns the error of a recipient that was not attempted because the context
// ended: CodeCanceled or CodeDeadlineExceeded, NotAccepted, unwrapping to err. Providers that
// skip recipients of a batch use it, as the Client does.
func NotAttempted(provider string, err error) *Error {
	return contextError(provider, err)
}

// contextError turns a context error into a "not attempted" *Error that unwraps to it.
func contextError(provider string, err error) *Error {
	code := CodeCanceled
	if errors.Is(err, context.DeadlineExceeded) {
		code = CodeDeadlineExceeded
	}
	return &Error{Code: code, Provider: provider, Message: notAttempted, NotAccepted: true, Err: err}
}

// unsupported is the error of an optional ability the provider lacks.
func unsupported(provider, what string) *Error {
	return &Error{Code: CodeUnsupported, Provider: provider, Message: what + " is not supported by this provider", NotAccepted: true}
}
