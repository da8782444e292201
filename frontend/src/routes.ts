// Every page of the site. A page behind a feature toggle names it (`feature`), and its route and
// navigation entry exist only where config.json switches the feature on: the seller's pages
// ("listings": sell, my listings, managing one, the share page /l/:id) and the dealer's ("dealer":
// surfaced stock, market view). Offers ("offers") have no page of their own: they are a section
// of the owner's report and of the share page, shown only where that feature is on.
import { route, type RouteDef } from './router';

export const routes: RouteDef[] = [
  route({ id: 'lookup', path: '/', nav: 'nav.lookup', load: () => import('./pages/LookupPage') }),
  route({ id: 'vehicle', path: '/vehicles/:vin', load: () => import('./pages/VehiclePage') }),
  route({ id: 'dealer-stock', path: '/dealer/stock', feature: 'dealer', nav: 'nav.dealerStock', navRole: 'dealer', load: () => import('./pages/DealerStockPage') }),
  route({ id: 'market', path: '/dealer/market', feature: 'dealer', nav: 'nav.market', navRole: 'dealer', load: () => import('./pages/MarketPage') }),
  route({ id: 'market-vin', path: '/dealer/market/:vin', feature: 'dealer', load: () => import('./pages/MarketPage') }),
  route({ id: 'auth-callback', path: '/auth/callback', load: () => import('./pages/AuthCallbackPage') }),
  route({ id: 'sell', path: '/vehicles/:vin/sell', feature: 'listings', load: () => import('./pages/SellPage') }),
  route({ id: 'my-listings', path: '/me/listings', feature: 'listings', nav: 'nav.myListings', navRole: 'consumer', load: () => import('./pages/MyListingsPage') }),
  route({ id: 'manage-listing', path: '/me/listings/:id', feature: 'listings', load: () => import('./pages/ManageListingPage') }),
  route({ id: 'share', path: '/l/:id', feature: 'listings', load: () => import('./pages/SharePage') }),
  route({ id: 'chaos', path: '/chaos', localOnly: true, nav: 'nav.chaos', load: () => import('./pages/ChaosPage') }),
];
