package acs

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"

	"github.com/smsbridge/sms"
)

// EmptyContentHash is ContentHash of an empty body.
const EmptyContentHash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

// ContentHash returns base64(SHA-256(body)), the x-ms-content-sha256 header.
func ContentHash(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// StringToSign returns the string ACS signs: method, the path and query exactly as sent, and
// the x-ms-date, Host and x-ms-content-sha256 values.
func StringToSign(method, pathAndQuery, date, host, contentHash string) string {
	return strings.ToUpper(method) + "\n" + pathAndQuery + "\n" + date + ";" + host + ";" + contentHash
}

// Sign returns base64(HMAC-SHA256(key, stringToSign)) for the decoded access key.
func Sign(key []byte, stringToSign string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// AuthorizationHeader returns the Authorization value for a signature.
func AuthorizationHeader(signature string) string {
	return "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + signature
}

// DecodeKey decodes a base64 access key as the portal shows it.
func DecodeKey(accessKey string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(accessKey))
	if err != nil || len(k) == 0 {
		return nil, errors.New("acs: the access key is not base64")
	}
	return k, nil
}

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
	if _, derr := DecodeKey(key); derr != nil {
		return "", sms.Secret{}, &sms.Error{Code: sms.CodeInvalidArgument, Provider: Name, Message: "connection string access key is not base64"}
	}
	return strings.TrimRight(endpoint, "/"), sms.NewSecret(key), nil
}
