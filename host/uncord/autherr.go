package uncord

// AuthError is a credential problem that retrying cannot fix (bad email or
// password, a rejected refresh token with no password to fall back on, MFA).
// The CLI exits 1 with its message. It never contains a credential.
type AuthError struct {
	Msg string
	Err error // cause, may be nil; never carries a credential either
}

func (e *AuthError) Error() string {
	if e.Err != nil {
		return "uncord: " + e.Msg + ": " + e.Err.Error()
	}
	return "uncord: " + e.Msg
}

func (e *AuthError) Unwrap() error { return e.Err }

// Fatal marks the error as one that ends the run (the gateway stops
// reconnecting and returns it).
func (e *AuthError) Fatal() bool { return true }
