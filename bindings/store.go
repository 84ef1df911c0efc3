package bindings

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// store.get/set/delete: the script's own persistent key-value store of JSON
// values. The backend comes from Host.Store and is opened on first use.

func scriptStore(c *Call, fn string) (Store, error) {
	s := c.Script
	if s == nil || s.Host == nil || s.Host.Store == nil {
		return nil, &UsageError{Func: fn, Msg: "no store configured (botrun check)", err: ErrNotConnected}
	}
	s.storeMu.Lock()
	defer s.storeMu.Unlock()
	if s.store == nil {
		st, err := s.Host.Store(s.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: open store: %w", fn, err)
		}
		s.store = st
	}
	return s.store, nil
}

func storeKey(c *Call, fn string) (string, error) {
	key, err := argString(c, fn, 0, "key")
	if err != nil {
		return "", err
	}
	if max := c.Script.caps().MaxKey; len(key) > max {
		return "", &UsageError{Func: fn, Msg: fmt.Sprintf("key is longer than %d bytes", max), err: ErrLimit}
	}
	if !utf8.ValidString(key) {
		return "", Usagef(fn, "key must be valid UTF-8")
	}
	return key, nil
}

// storeArgs checks a call whose first argument is a key and opens the
// script's store.
func storeArgs(c *Call, fn string, maxArgs int) (Store, string, error) {
	if err := checkArgs(c, fn, 1, maxArgs); err != nil {
		return nil, "", err
	}
	key, err := storeKey(c, fn)
	if err != nil {
		return nil, "", err
	}
	st, err := scriptStore(c, fn)
	if err != nil {
		return nil, "", err
	}
	return st, key, nil
}

// storeErr names the function and key in a backend error.
func storeErr(fn, key string, err error) error {
	if err != nil {
		return fmt.Errorf("%s %q: %w", fn, key, err)
	}
	return nil
}

func storeGet(c *Call) (any, error) {
	const fn = "store.get"
	st, key, err := storeArgs(c, fn, 1)
	if err != nil {
		return nil, err
	}
	v, found, err := st.Get(c.Ctx, key)
	if err != nil || !found {
		return nil, storeErr(fn, key, err)
	}
	return v, nil
}

// storeSet stores a JSON value; setting nil deletes the key, since a
// missing key reads back as nil anyway.
func storeSet(c *Call) (any, error) {
	const fn = "store.set"
	if err := checkArgs(c, fn, 1, 2); err != nil {
		return nil, err
	}
	key, err := storeKey(c, fn)
	if err != nil {
		return nil, err
	}
	val := arg(c, 1)
	if val == nil {
		return storeDelete(c)
	}
	limit := c.Script.caps().MaxStoreValue
	b, err := encodeJSON(val, limit)
	if err != nil {
		return nil, payloadErr(fn, "value", limit, err)
	}
	st, err := scriptStore(c, fn)
	if err != nil {
		return nil, err
	}
	return nil, storeErr(fn, key, st.Set(c.Ctx, key, json.RawMessage(b)))
}

// storeDelete tolerates a second argument because store.set(key, nil)
// lands here with its arguments.
func storeDelete(c *Call) (any, error) {
	const fn = "store.delete"
	st, key, err := storeArgs(c, fn, 2)
	if err != nil {
		return nil, err
	}
	return nil, storeErr(fn, key, st.Delete(c.Ctx, key))
}
