// Package redact shows values that may hold a credential without the credential: a URL with
// its query values and userinfo hidden (URL), and the printing methods of a vendor Config
// whose URL fields carry a callback token (Format, GoString). Written once so that every
// vendor Config prints the same way as sms.Secret does: %v, %+v, %#v, %s, slog and JSON never
// show a token, while a URL's scheme, host and path stay visible for debugging.
package redact
