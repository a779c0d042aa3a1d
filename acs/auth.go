package acs

import (
	"net/url"
	"strings"

	"github.com/smsbridge/sms"
	"github.com/smsbridge/sms/internal/acssign"
)

// ParseConnectionString splits the portal's connection string,
// "endpoint=https://<resource>.communication.azure.com/;accesskey=<base64>", on ";" and then on
// the first "=" of each part (the key's base64 padding contains "="). Keys are
// case-insensitive. The endpoint is returned without its trailing "/".
func ParseConnectionString(cs string) (endpoint string, accessKey sms.Secret, err error) {
	var key string
	for _, part := range strings.Split(cs, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return "", sms.Secret{}, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "malformed connection string: a part has no '='"}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "endpoint":
			endpoint = strings.TrimSpace(value)
		case "accesskey":
			key = strings.TrimSpace(value)
		}
	}
	if endpoint == "" || key == "" {
		return "", sms.Secret{}, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "connection string needs endpoint= and accesskey="}
	}
	u, perr := url.Parse(endpoint)
	if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", sms.Secret{}, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "connection string endpoint must be an absolute https URL"}
	}
	if _, derr := acssign.DecodeKey(key); derr != nil {
		return "", sms.Secret{}, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "connection string access key is not base64"}
	}
	return strings.TrimRight(endpoint, "/"), sms.NewSecret(key), nil
}
