// The curated demo cars of the legacy simulators (legacyclients/sim/world), offered on the lookup
// page in the local stack only. The browser suite checks that each of them answers as described.
import type { MessageKey } from './i18n/types';

export const DEMO_CARS: { vin: string; label: MessageKey }[] = [
  { vin: 'WVWZZZCD3MW100001', label: 'demo.clean' },
  { vin: 'WAUZZZFV8GA200002', label: 'demo.rollback' },
  { vin: 'TMBJJ7NE1K0300003', label: 'demo.recall' },
  { vin: 'VSSZZZKJ8JR400004', label: 'demo.accident' },
  { vin: 'WP0ZZZBR2CS500005', label: 'demo.owners' },
  { vin: 'WVWZZZCD2NW600006', label: 'demo.dealer' },
  { vin: 'WVWZZZCD0PW999999', label: 'demo.unknown' },
];
