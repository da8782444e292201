package report

import (
	"reflect"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Redact returns the report as a caller with the given access may see it. It is a pure function:
// the input is not modified, and the result shares no mutable memory with it. Anything but
// AccessOwner gets the public view, so an unknown access level fails closed.
func Redact(r Report, access vehicle.Access) Report {
	out := clone(reflect.ValueOf(r), access == vehicle.AccessOwner).Interface().(Report)
	if access != vehicle.AccessOwner {
		access = vehicle.AccessPublic
	}
	out.Access = access
	return out
}

// clone deep-copies v, leaving personal fields at their zero value unless keepPersonal is set.
func clone(v reflect.Value, keepPersonal bool) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(clone(v.Elem(), keepPersonal))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			s.Index(i).Set(clone(v.Index(i), keepPersonal))
		}
		return s
	case reflect.Struct:
		t := v.Type()
		out := reflect.New(t).Elem()
		if hasUnexported(t) {
			// Opaque values (time.Time) are immutable by convention: copy as a whole.
			out.Set(v)
			return out
		}
		for i := 0; i < t.NumField(); i++ {
			if !keepPersonal && t.Field(i).Tag.Get("personal") == "true" {
				continue
			}
			out.Field(i).Set(clone(v.Field(i), keepPersonal))
		}
		return out
	default:
		return v
	}
}

func hasUnexported(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if !t.Field(i).IsExported() {
			return true
		}
	}
	return false
}
