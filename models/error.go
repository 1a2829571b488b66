package models

import (
	"errors"
	"fmt"
)

// Error codes a front end translates into words for its users. Domain and
// storage code return *Error with one of these; anything else is internal.
const (
	EINVALID   = "invalid"   // the input is wrong; Message says how
	ENOTFOUND  = "not_found" // the thing asked for does not exist (or is not visible)
	EFORBIDDEN = "forbidden" // the user may not do this
	ECONFLICT  = "conflict"  // the thing exists already or was used
	EEXPIRED   = "expired"   // the thing was valid once and no longer is
	EINTERNAL  = "internal"
)

// Error is a domain error: a code for programs and a message key for people.
type Error struct {
	Code string
	// Key names the catalogue message the front end shows; Data fills it.
	Key  string
	Data map[string]any
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s %v", e.Code, e.Key, e.Data) }

// Errorf returns a domain error with a code and a catalogue key.
func Errorf(code, key string, data map[string]any) *Error {
	return &Error{Code: code, Key: key, Data: data}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}
