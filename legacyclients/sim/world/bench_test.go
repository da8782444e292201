package world

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkVehicle(b *testing.B) {
	w := New(DefaultAsOf)
	r := rand.New(rand.NewPCG(1, 2))
	vins := make([]string, 256)
	for i := range vins {
		vins[i] = string(RandomVIN(r))
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		w.Lookup(vins[i%len(vins)])
	}
}

func BenchmarkSearchStockWholeMake(b *testing.B) {
	w := New(DefaultAsOf)
	for b.Loop() {
		w.SearchStock(StockQuery{Make: "Volkswagen"})
	}
}
