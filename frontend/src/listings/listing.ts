// The seller's form rules and the preview's facts, mirroring the API (internal/listing and
// functions/listings/snapshot.go) so the form explains a problem before sending it and the preview
// shows what the listing will carry.
import type { ApiError, Listing, ListingCreate, Report, Verified } from '../api/client';

export interface Draft {
  price: string;
  description: string;
  /** One https URL a line. */
  photos: string;
  country: string;
  postalPrefix: string;
}

export const EMPTY_DRAFT: Draft = { price: '', description: '', photos: '', country: 'DE', postalPrefix: '' };

/** A problem with one field: the API's field name and rule, so one sentence table serves both. */
export interface Problem {
  field: string;
  rule: string;
}

export const MAX_DESCRIPTION = 2000;
export const MAX_PHOTOS = 20;

/**
 * shareUrlOf is the listing's share link as a person can paste it anywhere. In AWS the listing
 * functions may not know the site's origin, so the API's shareUrl can be relative to the site
 * ("/l/{id}"), or missing: both are resolved against the site the seller is on. An absolute URL is
 * kept as the API gave it.
 */
export function shareUrlOf(l: Pick<Listing, 'id' | 'shareUrl'>, origin: string = window.location.origin): string {
  const fallback = `/l/${encodeURIComponent(l.id)}`;
  try {
    return new URL(l.shareUrl || fallback, origin).href;
  } catch {
    return new URL(fallback, origin).href;
  }
}

export function photoList(photos: string): string[] {
  return photos
    .split('\n')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** validateDraft checks the rules the API checks; region only when it is part of the form. */
export function validateDraft(d: Draft, withRegion = true): Problem[] {
  const out: Problem[] = [];
  const price = d.price.trim();
  if (price === '') out.push({ field: 'priceEur', rule: 'required' });
  else if (!/^\d+$/.test(price)) out.push({ field: 'priceEur', rule: 'type' });
  else if (Number(price) < 100 || Number(price) > 10_000_000) out.push({ field: 'priceEur', rule: 'range' });
  if ([...d.description].length > MAX_DESCRIPTION) out.push({ field: 'description', rule: 'max-length' });
  else if (/[<>]/.test(d.description)) out.push({ field: 'description', rule: 'plain-text' });
  const photos = photoList(d.photos);
  if (photos.length > MAX_PHOTOS) out.push({ field: 'photos', rule: 'max-items' });
  else if (photos.some((p) => !p.startsWith('https://'))) out.push({ field: 'photos', rule: 'https' });
  if (withRegion) {
    if (!/^[A-Za-z]{2}$/.test(d.country)) out.push({ field: 'region.country', rule: 'iso-3166-alpha2' });
    const pp = d.postalPrefix.trim();
    if (pp.length < 1 || pp.length > 3) out.push({ field: 'region.postalPrefix', rule: 'prefix-length' });
    else if (!/^[0-9A-Za-z]+$/.test(pp)) out.push({ field: 'region.postalPrefix', rule: 'alphanumeric' });
  }
  return out;
}

/** formField maps an API field to the form field showing it: photos[3] belongs to photos. */
export function formField(apiField: string | undefined): string | undefined {
  return apiField?.replace(/\[\d+\]$/, '');
}

export function toCreate(vin: string, d: Draft): ListingCreate {
  return {
    vin,
    priceEur: Number(d.price.trim()),
    description: d.description,
    photos: photoList(d.photos),
    region: { country: d.country.trim().toUpperCase(), postalPrefix: d.postalPrefix.trim() },
  };
}

export function draftOf(l: Listing): Draft {
  return {
    price: String(l.priceEur),
    description: l.description,
    photos: l.photos.join('\n'),
    country: l.region.country ?? '',
    postalPrefix: l.region.postalPrefix ?? '',
  };
}

/** newIdempotencyKey is made once per form: a double click or a retry sends the same one. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** activeListingId reads the id a 409 names ("this vehicle already has an active listing: <id>"). */
export function activeListingId(err: ApiError): string | null {
  if (err.code !== 'CONFLICT') return null;
  const m = /([a-z2-7]{26})\s*$/.exec(err.message);
  return m ? m[1]! : null;
}

/** verifiedFromReport is the snapshot the API will take: public facts with source and fetch time. */
export function verifiedFromReport(r: Report, now = new Date().toISOString()): Verified {
  const v: Verified = { snapshotAt: now };
  const b = r.build;
  if (b?.data) {
    const at = b.fetchedAt ? { fetchedAt: b.fetchedAt } : {};
    v.make = { value: b.data.make, source: b.source, ...at };
    v.model = { value: b.data.model, source: b.source, ...at };
    v.modelYear = { value: b.data.modelYear, source: b.source, ...at };
  }
  const o = r.odometer;
  if (o?.data) {
    const at = o.fetchedAt ? { fetchedAt: o.fetchedAt } : {};
    const readings = o.data.readings ?? [];
    const last = readings[readings.length - 1];
    if (last) v.odometer = { value: { km: last.km, month: last.month }, source: last.source, ...at };
    v.rollbackDetected = { value: o.data.rollbackDetected, source: o.source, ...at };
  }
  const s = r.serviceHistory;
  if (s?.data) {
    const at = s.fetchedAt ? { fetchedAt: s.fetchedAt } : {};
    const visits = s.data.visits ?? [];
    const lastServiceMonth = visits.reduce((m, x) => (x.month > m ? x.month : m), '');
    v.service = { value: { count: visits.length, ...(lastServiceMonth ? { lastServiceMonth } : {}) }, source: s.source, ...at };
    v.accidentRecorded = { value: visits.some((x) => x.kind === 'accident-repair'), source: s.source, ...at };
  }
  const rc = r.recalls;
  if (rc?.data) {
    const at = rc.fetchedAt ? { fetchedAt: rc.fetchedAt } : {};
    const open = (rc.data.campaigns ?? [])
      .filter((c) => c.status === 'open')
      .map((c) => ({ id: c.id, title: c.title ?? '' }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    v.openRecalls = { value: open, source: rc.source, ...at };
  }
  return v;
}

/** previewListing is the listing as buyers will see it, before it exists. */
export function previewListing(verified: Verified, d: Draft, now = new Date().toISOString()): Listing {
  const price = Number(d.price.trim());
  return {
    id: 'preview',
    status: 'active',
    shareUrl: '',
    priceEur: Number.isFinite(price) ? price : 0,
    description: d.description,
    photos: photoList(d.photos).filter((p) => p.startsWith('https://')),
    region: { country: d.country.trim().toUpperCase(), postalPrefix: d.postalPrefix.trim() },
    verified,
    createdAt: now,
    updatedAt: now,
  };
}
