package emulator

// OptOut is one entry of an emulator's opt-out list: the recipient To no longer receives
// messages from From (a sender number, or the scope the vendor blocks by, such as a Twilio
// Messaging Service SID).
type OptOut struct {
	From string `json:"from"` // the sender, or the vendor's scope of the block
	To   string `json:"to"`   // the handset that opted out
}
