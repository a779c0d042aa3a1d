package tsasign_test

import (
	"fmt"

	"github.com/smsbridge/sms/internal/tsasign"
)

func Example() {
	key, _ := tsasign.DecodeKey("EXAMPLE----TE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw==")
	fmt.Println(tsasign.SignBody(key, []byte("{'test': 123}")))
	// Output: B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744=
}
