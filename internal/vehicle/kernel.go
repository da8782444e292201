package vehicle

// Source names a legacy system a report section comes from.
type Source string

// The sources a report is assembled from. Dealer stock and after-sales offers feed other
// endpoints, not the report.
const (
	SourceVehicleMaster Source = "vehicle-master"
	SourceWorkshop      Source = "workshop"
	SourceRegistry      Source = "registry"
	SourceRecalls       Source = "recalls"
	SourceDealerStock   Source = "dealer-stock"
	SourceOffers        Source = "offers"
)

// Access is what a caller may see of a vehicle; ownership-authorization decides it.
type Access string

const (
	AccessPublic Access = "public"
	AccessOwner  Access = "owner"
)
