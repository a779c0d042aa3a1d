package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/smsbridge/sms"
)

// Config is a registry's description: the file format (see the package doc), also built in
// code. Lists keep their order, which is the order problems are reported in.
type Config struct {
	Providers []ProviderConfig `json:"providers"`
	Senders   []SenderConfig   `json:"senders"`
	Routes    []RouteConfig    `json:"routes,omitempty"`
}

// ProviderConfig is one vendor account under an internal name.
type ProviderConfig struct {
	// Name is the internal name, unique among providers ("twilio-us").
	Name string `json:"name"`
	// Vendor is the vendor: "twilio", "acs", "infobip", "telesign", "linkmobility", or a
	// name given in Options.Vendors.
	Vendor string `json:"vendor"`
	// Credentials maps each credential key of the vendor to the NAME of the environment
	// variable that holds it ("auth_token": "TWILIO_AUTH_TOKEN"). A value that is not an
	// environment variable name (upper-case letters, digits and "_", not starting with a
	// digit) is refused as a secret written into the file, without quoting it.
	Credentials map[string]string `json:"credentials,omitempty"`
	// Options holds the vendor's other settings as strings ("base_url", "timeout": "10s",
	// callback URLs, …). ${NAME} in a value is replaced by that environment variable.
	Options map[string]string `json:"options,omitempty"`
}

// SenderConfig is one sender (a number, short code, sender ID or pool) under a friendly name.
type SenderConfig struct {
	// Name is the friendly name, unique among senders; it becomes sms.Sender.Name.
	Name string `json:"name"`
	// Value is the number in canonical E.164 ("+14155550100"), the short code, the
	// alphanumeric sender ID or the pool id.
	Value string `json:"value"`
	// Type is the sender type as sms.SenderType names it ("long_code", "toll_free",
	// "short_code", "alphanumeric", "pool"); empty or "auto" infers it from Value.
	Type string `json:"type,omitempty"`
	// Provider is the internal name of the provider that sends from it.
	Provider string `json:"provider"`
	// Owner is the owner tag (a business unit): senders with the same owner share one
	// suppression scope (see Registry.Scope). Empty means the sender is its own scope.
	Owner string `json:"owner,omitempty"`
}

// RouteConfig is a named failover route: senders tried in order (see sms.Router).
type RouteConfig struct {
	Name    string   `json:"name"`
	Senders []string `json:"senders"`
}

// Options configures what the file does not say: the shared parts given in code. The zero
// value is all defaults.
type Options struct {
	// Getenv reads an environment variable; nil means os.LookupEnv. Tests pass a map's lookup.
	Getenv func(name string) (string, bool)
	// Client holds the options of every provider's sms.Client: limiter, suppressor, retry
	// policy, middleware. Nil means defaults.
	Client *sms.ClientOptions
	// HTTPClient is given to every vendor (proxies, tracing); nil means each vendor's default.
	HTTPClient *http.Client
	// Logger is given to every vendor; nil means silent.
	Logger *slog.Logger
	// Vendors adds vendors to the built-in ones (Vendors), or replaces one, by name.
	Vendors map[string]Vendor
}

// Sender is a sender of a registry.
type Sender struct {
	From     sms.Sender // Name is the friendly name
	Provider string     // the internal name of its provider
	Owner    string     // the owner tag, "" for none
}

// Registry holds named providers, senders and routes, built and checked once. It is safe for
// concurrent use and immutable.
type Registry struct {
	clients   map[string]*sms.Client // by internal name
	providers []string               // internal names, in file order
	senders   map[string]sender
	names     []string // sender names, in file order
	routes    map[string]*sms.Router
	owners    map[string]string // scopeKey(provider, value) → owner
	byValue   map[string]string // value → owner, when every sender with that value has the same
}

type sender struct {
	Sender
	client *sms.Client
}

// Problem is one thing wrong with a registry's configuration. New and Load join every
// problem they find (errors.Join); errors.As finds each one, and each unwraps to an
// *sms.Error with CodeInvalidArgument. A problem never quotes a credential, nor an option's
// expanded value.
type Problem struct {
	// Path names the field: `providers["twilio-us"].credentials.auth_token`,
	// `senders["alerts"].type`, `routes[#2].name` (by position when the name is missing).
	Path string
	Err  *sms.Error
}

// Error returns the *sms.Error's text, which names the path.
func (p *Problem) Error() string { return p.Err.Error() }

// Unwrap returns the *sms.Error.
func (p *Problem) Unwrap() error { return p.Err }

func problem(path, msg string, cause error) *Problem {
	return &Problem{Path: path, Err: &sms.Error{Code: sms.CodeInvalidArgument, Provider: "registry",
		Message: path + ": " + msg, NotAccepted: true, Err: cause}}
}

// Load reads a registry file (JSON; see the package doc) and builds it as New does. Unknown
// fields are refused. opts may be nil.
func Load(r io.Reader, opts *Options) (*Registry, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var cfg Config
	if err := dec.Decode(&cfg); err != nil {
		return nil, problem("file", "not a registry file", err)
	}
	if dec.More() {
		return nil, problem("file", "more than one JSON value", nil)
	}
	return New(cfg, opts)
}

// envName is the shape of an environment variable name a credential may reference.
var envName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// New builds a registry: each provider's vendor client (wrapped in an sms.Client with
// opts.Client), each sender checked against its provider, each route an sms.Router. It
// checks everything before returning and reports every problem at once (see Problem): names
// missing or repeated, unknown vendors, keys and references, credentials written as values
// instead of variable names, variables not set, options the vendor refuses, sender values
// that are not canonical E.164 numbers or valid short codes or sender IDs, sender types the
// provider does not support, owners that make a suppression scope ambiguous, and routes that
// name unknown senders. opts may be nil.
func New(cfg Config, opts *Options) (*Registry, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Getenv == nil {
		o.Getenv = os.LookupEnv
	}
	vendors := Vendors()
	for k, v := range o.Vendors {
		vendors[k] = v
	}
	var copts sms.ClientOptions
	if o.Client != nil {
		copts = *o.Client
	}
	b := &builder{o: o, vendors: vendors, copts: copts}
	r := &Registry{clients: map[string]*sms.Client{}, senders: map[string]sender{}, routes: map[string]*sms.Router{}, owners: map[string]string{}, byValue: map[string]string{}}
	b.providers(cfg.Providers, r)
	b.senders(cfg.Senders, r)
	b.routes(cfg.Routes, r)
	if len(b.problems) > 0 {
		for _, c := range r.clients {
			c.CloseIdleConnections()
		}
		return nil, errors.Join(b.problems...)
	}
	return r, nil
}

type builder struct {
	o           Options
	vendors     map[string]Vendor
	copts       sms.ClientOptions
	problems    []error
	declared    map[string]bool // provider names given, built or not
	senderNames map[string]bool // sender names given, usable or not
}

func (b *builder) add(path, msg string, cause error) {
	b.problems = append(b.problems, problem(path, msg, cause))
}

// entryPath names list entry i by its name when it has one.
func entryPath(list string, i int, name string) string {
	if name == "" {
		return list + "[#" + strconv.Itoa(i+1) + "]"
	}
	return list + "[" + strconv.Quote(name) + "]"
}

// named checks an entry's name: present, unique. It reports whether the entry may be used.
func (b *builder) named(path, name string, seen map[string]bool) bool {
	switch {
	case name == "":
		b.add(path+".name", "missing", nil)
		return false
	case seen[name]:
		b.add(path+".name", "repeats an earlier entry's name", nil)
		return false
	}
	seen[name] = true
	return true
}

func (b *builder) providers(list []ProviderConfig, r *Registry) {
	if len(list) == 0 {
		b.add("providers", "none given", nil)
	}
	seen := map[string]bool{}
	b.declared = seen
	for i, pc := range list {
		path := entryPath("providers", i, pc.Name)
		// An entry without a usable name is still checked (a secret pasted into a copied
		// entry is reported now), but not used.
		named := b.named(path, pc.Name, seen)
		c := b.provider(path, pc)
		switch {
		case c != nil && named:
			r.clients[pc.Name] = c
			r.providers = append(r.providers, pc.Name)
		case c != nil:
			c.CloseIdleConnections()
		}
	}
}

// provider checks and builds one entry; nil when it has a problem.
func (b *builder) provider(path string, pc ProviderConfig) *sms.Client {
	v, known := b.vendors[pc.Vendor]
	if !known {
		known := make([]string, 0, len(b.vendors))
		for k := range b.vendors {
			known = append(known, k)
		}
		slices.Sort(known)
		msg := "unknown vendor " + strconv.Quote(pc.Vendor) + " (known: " + strings.Join(known, ", ") + ")"
		if pc.Vendor == "" {
			msg = "missing (known: " + strings.Join(known, ", ") + ")"
		}
		b.add(path+".vendor", msg, nil)
		// The credentials and options are still checked below (as far as no vendor is
		// needed), so that a secret written into the file is reported in this run too.
	}
	before := len(b.problems)
	// Every value read from the environment for this entry: a vendor's refusal may quote an
	// option it got (a URL holding a token), so those values are cut out of its message.
	var fromEnv []string
	getenv := func(name string) (string, bool) {
		v, ok := b.o.Getenv(name)
		if ok && v != "" {
			fromEnv = append(fromEnv, v)
		}
		return v, ok
	}
	s := &Settings{Name: pc.Name, HTTPClient: b.o.HTTPClient, Logger: b.o.Logger,
		creds: map[string]sms.Secret{}, opts: map[string]string{}, path: path}
	for _, key := range sortedKeys(pc.Credentials) {
		ref, kp := pc.Credentials[key], path+".credentials."+key
		switch {
		case known && !slices.Contains(v.Credentials, key):
			b.add(kp, "unknown credential (known: "+knownKeys(v.Credentials)+")", nil)
		case !envName.MatchString(ref):
			// Never quote ref: it is most likely the secret itself.
			b.add(kp, "must name an environment variable (A-Z, 0-9, _); a secret must not be written in the file", nil)
		default:
			val, set := getenv(ref)
			if !set || val == "" {
				b.add(kp, "environment variable "+ref+" is not set", nil)
				continue
			}
			s.creds[key] = sms.NewSecret(val)
		}
	}
	for _, key := range sortedKeys(pc.Options) {
		kp := path + ".options." + key
		if known && !slices.Contains(v.Options, key) && !slices.Contains(commonOptions, key) {
			b.add(kp, "unknown option (known: "+knownKeys(commonOptions, v.Options)+")", nil)
			continue
		}
		val, err := expand(pc.Options[key], getenv)
		if err != nil {
			b.add(kp, err.Error(), nil)
			continue
		}
		s.opts[key] = val
	}
	if !known {
		return nil
	}
	for _, key := range v.Required {
		_, inCreds := pc.Credentials[key]
		_, inOpts := pc.Options[key]
		if !inCreds && !inOpts {
			sect := "options"
			if slices.Contains(v.Credentials, key) {
				sect = "credentials"
			}
			b.add(path+"."+sect+"."+key, "missing (required by vendor "+pc.Vendor+")", nil)
		}
	}
	// New runs even after a problem, so that its option checks are reported too; its own
	// error is then ignored (a missing credential would only be reported twice).
	p, err := v.New(s)
	switch {
	case len(s.problems) > 0:
		b.problems = append(b.problems, s.problems...)
		return nil
	case len(b.problems) > before:
		return nil
	case err != nil:
		var e *sms.Error
		msg := "the vendor refused the configuration"
		if errors.As(err, &e) && e.Message != "" {
			b.add(path, msg+": "+redact(e.Message, fromEnv), nil)
		} else {
			b.add(path, msg, errors.New(redact(err.Error(), fromEnv)))
		}
		return nil
	case p == nil:
		b.add(path, "the vendor built no provider", nil)
		return nil
	}
	return sms.NewClient(p, &b.copts)
}

// expand replaces each ${NAME} in v by that environment variable. A "$" not followed by "{"
// is kept. Errors name the variable, never the value.
func expand(v string, getenv func(string) (string, bool)) (string, error) {
	if !strings.Contains(v, "${") {
		return v, nil
	}
	var out strings.Builder
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			out.WriteString(v)
			return out.String(), nil
		}
		j := strings.IndexByte(v[i:], '}')
		if j < 0 {
			return "", errors.New("unterminated ${")
		}
		name := v[i+2 : i+j]
		if !envName.MatchString(name) {
			return "", errors.New("${…} must hold an environment variable name (A-Z, 0-9, _)")
		}
		val, set := getenv(name)
		if !set || val == "" {
			return "", errors.New("environment variable " + name + " is not set")
		}
		out.WriteString(v[:i])
		out.WriteString(val)
		v = v[i+j+1:]
	}
}

// redact replaces in msg every value of values (those read from the environment) by
// "[redacted]", longest first, and, for a value that is a URL, its query, query values and
// password too, since a message may quote the URL re-encoded or with the password masked.
// Pieces under 4 bytes are left: they are no secrets, and replacing them would garble the
// message.
func redact(msg string, values []string) string {
	values = slices.Clone(values)
	for _, v := range values {
		u, err := url.Parse(v)
		if err != nil {
			continue
		}
		values = append(values, u.RawQuery)
		for _, qv := range u.Query() {
			values = append(values, qv...)
		}
		if pw, ok := u.User.Password(); ok {
			values = append(values, pw)
		}
	}
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	for _, v := range values {
		if len(v) >= 4 {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	return msg
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// rootRules is a provider that supports every sender type, so that a Client around it checks
// a sender against the root rules alone: for senders whose own provider could not be built.
type rootRules struct{}

func (rootRules) Name() string { return "registry" }
func (rootRules) Capabilities() sms.Capabilities {
	return sms.Capabilities{SenderTypes: []sms.SenderType{sms.SenderLongCode, sms.SenderTollFree,
		sms.SenderShortCode, sms.SenderAlphanumeric, sms.SenderPool}}
}
func (rootRules) Send(context.Context, *sms.Message) ([]sms.SendResult, error) {
	return nil, errors.ErrUnsupported
}
func (rootRules) ParseCallback(context.Context, *http.Request, []byte) (*sms.Callback, error) {
	return nil, errors.ErrUnsupported
}

var rootChecker = sms.NewClient(rootRules{}, nil)

func (b *builder) senders(list []SenderConfig, r *Registry) {
	seen := map[string]bool{}
	b.senderNames = seen
	for i, sc := range list {
		path := entryPath("senders", i, sc.Name)
		named := b.named(path, sc.Name, seen) // checked on without one, but not used
		var t sms.SenderType
		if sc.Type != "" {
			if err := t.UnmarshalText([]byte(sc.Type)); err != nil {
				b.add(path+".type", "unknown sender type "+strconv.Quote(sc.Type)+
					` (known: auto, long_code, toll_free, short_code, alphanumeric, pool)`, nil)
				continue
			}
		}
		from := sms.Sender{Type: t, Value: sc.Value, Name: sc.Name}
		c, built := r.clients[sc.Provider]
		switch {
		case sc.Provider == "":
			b.add(path+".provider", "missing", nil)
		case !b.declared[sc.Provider]:
			b.add(path+".provider", "no provider named "+strconv.Quote(sc.Provider), nil)
		}
		checker := rootChecker
		if built {
			checker = c
		}
		if sc.Value == "" {
			b.add(path+".value", "missing", nil)
			continue
		}
		if err := checker.ValidateSender(from); err != nil {
			var e *sms.Error
			msg, cause := "invalid sender", err
			if errors.As(err, &e) && e.Message != "" {
				msg, cause = e.Message, nil
			}
			if built {
				msg += " (provider " + sc.Provider + ", vendor " + c.Name() + ")"
			}
			b.add(path+".value", msg, cause)
			continue
		}
		if !built || !named {
			continue
		}
		if strings.ContainsRune(sc.Owner, 0) {
			b.add(path+".owner", "must not hold a NUL character", nil)
			continue
		}
		s := Sender{From: from, Provider: sc.Provider, Owner: sc.Owner}
		for _, k := range []string{scopeKey(sc.Provider, sc.Value), scopeKey(c.Name(), sc.Value)} {
			if prev, ok := r.owners[k]; ok && prev != sc.Owner {
				b.add(path+".owner", "sender "+sc.Value+" at "+strings.SplitN(k, "\x00", 2)[0]+
					" has another owner in an earlier entry: its suppression scope would be ambiguous", nil)
				break
			}
			r.owners[k] = sc.Owner
		}
		if prev, ok := r.byValue[sc.Value]; ok && prev != sc.Owner {
			r.byValue[sc.Value] = ambiguousOwner
		} else if !ok {
			r.byValue[sc.Value] = sc.Owner
		}
		r.senders[sc.Name] = sender{Sender: s, client: c}
		r.names = append(r.names, sc.Name)
	}
}

func (b *builder) routes(list []RouteConfig, r *Registry) {
	seen := map[string]bool{}
	for i, rc := range list {
		path := entryPath("routes", i, rc.Name)
		if !b.named(path, rc.Name, seen) {
			continue
		}
		if len(rc.Senders) == 0 {
			b.add(path+".senders", "none given", nil)
			continue
		}
		var routes []sms.Route
		var owners []string
		ok := true
		for j, name := range rc.Senders {
			s, found := r.senders[name]
			if !found {
				ok = false
				if !b.senderNames[name] { // a declared sender's own problems are already reported
					b.add(fmt.Sprintf("%s.senders[%d]", path, j), "no sender named "+strconv.Quote(name), nil)
				}
				continue
			}
			routes = append(routes, sms.Route{Client: s.client, From: s.From})
			owners = append(owners, s.Owner)
		}
		if !ok {
			continue
		}
		// The senders of a route stand in for one another: a STOP received by one must stop
		// the others, so they share one suppression scope, an owner tag (see Scope).
		if len(routes) > 1 && (owners[0] == "" || slices.ContainsFunc(owners, func(o string) bool { return o != owners[0] })) {
			b.add(path+".senders", "the senders of a route must share one owner tag, so that an opt-out received by one covers those that stand in for it", nil)
			continue
		}
		router, err := sms.NewRouter(routes...)
		if err != nil {
			b.add(path+".senders", "not a valid route", err)
			continue
		}
		r.routes[rc.Name] = router
	}
}

func scopeKey(provider, value string) string { return provider + "\x00" + value }

// ambiguousOwner marks, in byValue, a value whose senders have different owners. It cannot be
// an owner tag: those may not hold a NUL.
const ambiguousOwner = "\x00"

// Send sends msg from the sender named sender, through its provider's sms.Client. msg.From
// must be empty (or that sender); the registry sets it. An unknown sender is a
// CodeInvalidArgument *Error and no results.
func (r *Registry) Send(ctx context.Context, sender string, msg *sms.Message) ([]sms.SendResult, error) {
	s, ok := r.senders[sender]
	if !ok {
		return nil, invalid("no sender named " + strconv.Quote(sender))
	}
	if msg == nil {
		return nil, invalid("nil message")
	}
	if msg.From != (sms.Sender{}) && msg.From.Value != s.From.Value {
		return nil, invalid("Message.From names another sender than " + strconv.Quote(sender))
	}
	m := *msg
	m.From = s.From
	return s.client.Send(ctx, &m)
}

// SendRoute sends msg through the route named route (see sms.Router: msg.From must be empty).
// An unknown route is a CodeInvalidArgument *Error and no results.
func (r *Registry) SendRoute(ctx context.Context, route string, msg *sms.Message) ([]sms.SendResult, error) {
	rt, ok := r.routes[route]
	if !ok {
		return nil, invalid("no route named " + strconv.Quote(route))
	}
	return rt.Send(ctx, msg)
}

func invalid(msg string) *sms.Error {
	return &sms.Error{Code: sms.CodeInvalidArgument, Provider: "registry", Message: msg, NotAccepted: true}
}

// Router returns the route named name.
func (r *Registry) Router(name string) (*sms.Router, bool) {
	rt, ok := r.routes[name]
	return rt, ok
}

// Client returns the sms.Client of the provider named name (its internal name). Mount
// webhook.Handler(client, sink, nil) at that provider's callback URLs: delivery reports and
// inbound messages of every sender of that provider arrive there, whichever route sent them.
func (r *Registry) Client(provider string) (*sms.Client, bool) {
	c, ok := r.clients[provider]
	return c, ok
}

// Sender returns the sender named name.
func (r *Registry) Sender(name string) (Sender, bool) {
	s, ok := r.senders[name]
	return s.Sender, ok
}

// Providers returns the internal names of the providers, in file order.
func (r *Registry) Providers() []string { return slices.Clone(r.providers) }

// Senders returns the names of the senders, in file order.
func (r *Registry) Senders() []string { return slices.Clone(r.names) }

// Scope returns the suppression scope of from at provider, for sms.Consent's Scope (an
// sms.ScopeFunc): "owner:" and the owner tag when the registry knows the sender with an owner,
// else "sender:" and from.Value — the same as sms.SenderScope, so that a sender without an
// owner is its own scope. provider may be the internal name or the vendor's provider name
// (Event.Provider, SendResult.Provider): on the webhook side only the latter is known. Only
// from.Value is read of from.
func (r *Registry) Scope(provider string, from sms.Sender) string {
	owner, ok := r.owners[scopeKey(provider, from.Value)]
	if !ok {
		// Another name for the provider (a composite's): the value decides when every sender
		// with it has the same owner.
		owner = r.byValue[from.Value]
	}
	if owner != "" && owner != ambiguousOwner {
		return "owner:" + owner
	}
	return "sender:" + from.Value
}

// CloseIdleConnections closes the idle connections of every provider.
func (r *Registry) CloseIdleConnections() {
	for _, c := range r.clients {
		c.CloseIdleConnections()
	}
}
