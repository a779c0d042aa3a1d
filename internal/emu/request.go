package emu

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"

	"github.com/smsbridge/sms/emulator"
)

// NewRequest builds a callback request to target as a vendor's webhook client sends it:
// target must be absolute; its fragment is dropped (vendors may read delivery settings from
// it, and clients never send it) and an empty path becomes "/". The request
// has RequestURI set, so it is also ready for a handler's ServeHTTP, and a clone of header
// (never nil). Errors name target with its secrets redacted (emulator.RedactURL).
func NewRequest(method, target string, header http.Header, body []byte) (*http.Request, error) {
	u, err := url.Parse(target)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("URL %q: %v", emulator.RedactURL(target), err)
	}
	if !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("URL %q is not absolute", emulator.RedactURL(target))
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/" // what goes on the wire, and what a receiver reconstructs
	}
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("URL %q: %v", emulator.RedactURL(target), RedactError(err))
	}
	req.RequestURI = u.RequestURI()
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	return req, nil
}
