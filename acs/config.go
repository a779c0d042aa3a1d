package acs

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/smsbridge/sms"
)

// DefaultAPIVersion is the api-version sent unless Options.APIVersion says otherwise: the
// original GA version, which every resource supports.
const DefaultAPIVersion = "2021-03-07"

// Config holds the resource's credentials and the callback protection, as the Azure portal
// shows them. Give exactly one of ConnectionString, Endpoint+AccessKey, or
// Endpoint+Credential.
type Config struct {
	// ConnectionString is the portal's "endpoint=https://…;accesskey=…".
	ConnectionString sms.Secret
	// Endpoint is https://<resource>.communication.azure.com, with AccessKey or Credential.
	Endpoint  string
	AccessKey sms.Secret
	// SecondaryAccessKey is tried once when the primary gets a 401 (which proves nothing was
	// sent), so that regenerating a key in the portal does not take sending down.
	SecondaryAccessKey sms.Secret
	// Credential authenticates with Microsoft Entra ID instead of an access key (scope
	// https://communication.azure.com//.default).
	Credential azcore.TokenCredential

	// CallbackTokens are accepted in the callback URL's query parameter CallbackTokenParam
	// (…/acs/events?token=<secret>), compared in constant time; several allow rotation.
	CallbackTokens []sms.Secret
	// CallbackUser and CallbackPassword, when set, are accepted as Basic auth on callbacks
	// (an Event Grid delivery header "Authorization: Basic …").
	CallbackUser     string
	CallbackPassword sms.Secret
	// InsecureSkipCallbackAuth accepts callbacks with no token or Basic auth. Event Grid does
	// not sign events: without protection anyone can post delivery reports and opt-outs.
	InsecureSkipCallbackAuth bool
}

// CallbackTokenParam is the query parameter that carries the callback secret.
const CallbackTokenParam = "token"

// Options holds the transport settings. The zero value is all defaults.
type Options struct {
	HTTPClient *http.Client  // copied, with Timeout applied; default a new client
	BaseURL    string        // overrides the endpoint's origin (emulators); signing uses the URL actually sent
	APIVersion string        // default DefaultAPIVersion
	Timeout    time.Duration // per request; default HTTPClient's own, else 30s
	Logger     *slog.Logger  // nil = silent
	// Now is the clock for x-ms-date (and for repeatabilityFirstSent when a Message sent
	// without sms.Client has no FirstAttempt); nil means time.Now.
	Now func() time.Time
	// DisableDeliveryReports sends enableDeliveryReport=false (it is on by default).
	DisableDeliveryReports bool
}
