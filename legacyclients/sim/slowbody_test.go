package sim_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

// The simulators are servers the stack runs too: a client that announces a body and stalls is cut
// off by the server's read timeout instead of holding a connection and a goroutine for ever. The
// answer is an error status or a closed connection, within the guard.
func TestSimulatorCutsOffAStalledBody(t *testing.T) {
	c := startCluster(t, sim.Options{})
	conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", strings.TrimPrefix(c.URL(vehicle.SourceWorkshop), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	req := "POST " + workshop.Path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 100\r\n\r\n<soap:Envelo"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(sim.ReadTimeout + 10*time.Second)) // a guard against the hang
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	switch {
	case err == nil:
		_ = res.Body.Close()
		if res.StatusCode < 400 {
			t.Fatalf("stalled body answered %d", res.StatusCode)
		}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// Closed by the server: fine.
	default:
		t.Fatalf("the simulator held a stalled body: %v", err)
	}
}
