package store

import (
	"encoding/json"
	"slices"
	"sync"
)

// memory is the in-memory backend: the same semantics as the file store
// (copies in and out, namespaces per script) without durability.
type memory struct {
	mu     sync.RWMutex                          // guards data and closed
	data   map[string]map[string]json.RawMessage // script → key → value
	closed bool
}

func newMemory() *memory {
	return &memory{data: map[string]map[string]json.RawMessage{}}
}

func (m *memory) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
}

func (m *memory) get(script, key string) (json.RawMessage, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, false, ErrClosed
	}
	v, ok := m.data[script][key]
	if !ok {
		return nil, false, nil
	}
	return slices.Clone(v), true, nil
}

func (m *memory) set(script, key string, value json.RawMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	ns := m.data[script]
	if ns == nil {
		ns = map[string]json.RawMessage{}
		m.data[script] = ns
	}
	ns[key] = slices.Clone(value)
	return nil
}

func (m *memory) delete(script, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	delete(m.data[script], key)
	return nil
}

func (m *memory) keys(script string) ([]string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, ErrClosed
	}
	out := make([]string, 0, len(m.data[script]))
	for k := range m.data[script] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

func (m *memory) scripts() ([]string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, ErrClosed
	}
	out := make([]string, 0, len(m.data))
	for k, ns := range m.data {
		if len(ns) > 0 {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}
