package sms

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// validate applies the root rules and returns the canonical recipients.
func validate(p Provider, caps Capabilities, msg *Message) ([]string, error) {
	if msg == nil {
		return nil, invalidf("nil message")
	}
	if len(msg.To) == 0 {
		return nil, invalidf("no recipients")
	}
	if msg.Body == "" {
		return nil, invalidf("empty body")
	}
	if !utf8.ValidString(msg.Body) {
		return nil, invalidf("body is not valid UTF-8")
	}
	if err := validateSender(msg.From, caps); err != nil {
		return nil, err
	}
	if sv, ok := p.(SenderValidator); ok {
		if err := sv.ValidateSender(msg.From); err != nil {
			return nil, asInvalid(err)
		}
	}
	if caps.MaxBody > 0 {
		n := bodyLength(msg.Body, caps.BodyUnit)
		if n > caps.MaxBody {
			return nil, invalidf("body is %d %s, over the limit of %d", n, caps.BodyUnit, caps.MaxBody)
		}
	}
	if msg.Validity < 0 {
		return nil, invalidf("negative validity")
	}
	to := make([]string, len(msg.To))
	seen := make(map[string]struct{}, len(msg.To))
	for i, n := range msg.To {
		c, err := NormalizePhone(n)
		if err != nil {
			return nil, &Error{Code: CodeInvalidArgument, Message: fmt.Sprintf("recipient %d", i), NotAccepted: true, Err: err}
		}
		if _, dup := seen[c]; dup {
			return nil, invalidf("recipient %s appears twice", c)
		}
		seen[c] = struct{}{}
		to[i] = c
	}
	return to, nil
}

func asInvalid(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: CodeInvalidArgument, Message: "invalid sender", NotAccepted: true, Err: err}
}

// bodyLength measures body in unit.
func bodyLength(body string, unit BodyUnit) int {
	switch unit {
	case UnitBytes:
		return len(body)
	case UnitSegments:
		return CountSegments(body).Segments
	case UnitUTF16:
		n := 0
		for _, r := range body {
			n += utf16.RuneLen(r)
		}
		return n
	}
	return utf8.RuneCountInString(body)
}
