// Package codetable looks rows up in a vendor's code table: the status and error tables each
// vendor package keeps as one sorted slice (its exported table functions return copies).
package codetable

import "slices"

// Find returns the row of rows whose code is code, or nil. rows must be sorted by code
// (Sorted checks it in each vendor's tests).
func Find[R any](rows []R, code int, codeOf func(R) int) *R {
	i, ok := slices.BinarySearchFunc(rows, code, func(r R, c int) int { return codeOf(r) - c })
	if !ok {
		return nil
	}
	return &rows[i]
}

// Sorted reports whether rows are in strictly increasing code order, as Find needs.
func Sorted[R any](rows []R, codeOf func(R) int) bool {
	for i := 1; i < len(rows); i++ {
		if codeOf(rows[i-1]) >= codeOf(rows[i]) {
			return false
		}
	}
	return true
}
