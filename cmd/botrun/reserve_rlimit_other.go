//go:build !unix

package main

// addressSpaceLimited: there is no address-space limit to respect here.
func addressSpaceLimited() bool { return false }
