// The API client: same origin, bearer token when signed in, and the contract's error body
// {"error": {"code", "message", "field"?, "rule"?}} turned into an ApiError.
import type { components } from './schema.gen';

export type Schemas = components['schemas'];
export type Report = Schemas['Report'];
export type Section = Schemas['Section'];
export type Freshness = Section['freshness'];
export type Source = Schemas['Source'];
export type SurfacedStock = Schemas['SurfacedStock'];
export type SurfacedCar = SurfacedStock['cars'][number];
export type MarketView = Schemas['MarketView'];
export type SimilarItem = Schemas['SimilarItem'];
export type VehicleOffers = Schemas['VehicleOffers'];
export type OfferSection = Schemas['OfferSection'];
export type Offer = Schemas['Offer'];
export type BuildData = Schemas['BuildData'];
export type OdometerData = Schemas['OdometerData'];
export type RecallData = Schemas['RecallData'];
export type ServiceData = Schemas['ServiceData'];
export type RegistrationData = Schemas['RegistrationData'];
export type OwnerData = Schemas['OwnerData'];
export type OwnershipChallenge = Schemas['OwnershipChallenge'];
export type OwnershipGrant = Schemas['OwnershipGrant'];
export type ChallengeMethod = Schemas['OwnershipChallengeRequest']['method'];
export type Listing = Schemas['Listing'];
export type Verified = Listing['verified'];
export type ListingCreate = Schemas['ListingCreateRequest'];
export type ListingPatch = Schemas['ListingPatch'];
export type SimilarCars = Schemas['SimilarCars'];
export type ListingOffers = Schemas['ListingOffers'];
/** A listing with the ETag it was read at (If-Match for an edit). */
export interface Tagged<T> {
  value: T;
  etag: string | null;
}
/** The contract's codes, and NETWORK when no answer came. */
export type ErrorCode = Schemas['ErrorCode'] | 'NETWORK';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly rule?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** toApiError keeps an ApiError and turns anything else thrown (a failed fetch, a parse error) into a NETWORK one. */
export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'NETWORK', (e as Error).message);
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'INVALID',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'TOO_MANY_REQUESTS',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'TIMEOUT',
};

export async function errorFrom(res: Response): Promise<ApiError> {
  const requestId = res.headers.get('X-Request-Id') ?? undefined;
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not the contract's body (a proxy's page): fall back on the status.
  }
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  const code = (typeof e?.code === 'string' ? e.code : CODE_BY_STATUS[res.status] ?? 'INTERNAL') as ErrorCode;
  const message = typeof e?.message === 'string' ? e.message : `HTTP ${res.status}`;
  return new ApiError(
    res.status,
    code,
    message,
    typeof e?.field === 'string' ? e.field : undefined,
    typeof e?.rule === 'string' ? e.rule : undefined,
    requestId,
  );
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  token?: string | null;
  signal?: AbortSignal;
  /** Extra request headers (Idempotency-Key, If-Match). */
  headers?: Record<string, string>;
  /** Receives the response's headers (the local trace link reads X-Amzn-Trace-Id). */
  onHeaders?: (headers: Headers) => void;
}

/** traceRoot is the trace id of an X-Amzn-Trace-Id value ("Root=1-...;Parent=...;Sampled=1"). */
export function traceRoot(header: string | null): string | null {
  const m = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})(?:;|$)/.exec(header ?? '');
  return m ? m[1]! : null;
}

export async function request<T>(url: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
      credentials: 'omit',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', (err as Error).message);
  }
  opts.onHeaders?.(res.headers);
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Api is the typed surface of api/openapi.yaml that the site uses. */
export class Api {
  constructor(
    private readonly base: string,
    private readonly token: () => string | null,
  ) {}

  private url(path: string): string {
    return this.base + path;
  }

  getReport(vin: string, signal?: AbortSignal, onHeaders?: (headers: Headers) => void): Promise<Report> {
    return request<Report>(this.url(`/vehicles/${encodeURIComponent(vin)}`), {
      token: this.token(),
      signal,
      ...(onHeaders ? { onHeaders } : {}),
    });
  }

  /** The signed-in dealer's stock cars shown beside listings (dealer accounts only: 403 else). */
  getSurfacedStock(signal?: AbortSignal): Promise<SurfacedStock> {
    return request(this.url('/dealer/stock/surfaced'), { token: this.token(), signal });
  }

  /** Asking prices of the VIN's model and year, for dealers. */
  getMarket(vin: string, signal?: AbortSignal): Promise<MarketView> {
    return request(this.url(`/vehicles/${encodeURIComponent(vin)}/market`), { token: this.token(), signal });
  }

  /** After-sales offers: service plans and accessories for the owner, financing for anyone. */
  getOffers(vin: string, signal?: AbortSignal): Promise<VehicleOffers> {
    return request(this.url(`/vehicles/${encodeURIComponent(vin)}/offers`), { token: this.token(), signal });
  }

  createChallenge(vin: string, method: ChallengeMethod): Promise<OwnershipChallenge> {
    return request(this.url(`/vehicles/${encodeURIComponent(vin)}/ownership-challenges`), {
      method: 'POST',
      body: { method },
      token: this.token(),
    });
  }

  verifyChallenge(vin: string, id: string, code: string): Promise<OwnershipGrant> {
    return request(
      this.url(`/vehicles/${encodeURIComponent(vin)}/ownership-challenges/${encodeURIComponent(id)}/verify`),
      { method: 'POST', body: { code }, token: this.token() },
    );
  }

  // --- listings (seller and buyer) ---

  private async tagged<T>(path: string, opts: RequestOptions): Promise<Tagged<T>> {
    let etag: string | null = null;
    const value = await request<T>(this.url(path), {
      ...opts,
      token: this.token(),
      onHeaders: (h) => {
        etag = h.get('ETag');
      },
    });
    return { value, etag };
  }

  /** createListing sends the form's one Idempotency-Key: a retry answers the listing it created. */
  createListing(body: ListingCreate, idempotencyKey: string): Promise<Tagged<Listing>> {
    return this.tagged('/listings', { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } });
  }

  getListing(id: string, signal?: AbortSignal): Promise<Tagged<Listing>> {
    return this.tagged(`/listings/${encodeURIComponent(id)}`, signal ? { signal } : {});
  }

  updateListing(id: string, patch: ListingPatch, etag: string): Promise<Tagged<Listing>> {
    return this.tagged(`/listings/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch, headers: { 'If-Match': etag } });
  }

  withdrawListing(id: string): Promise<void> {
    return request(this.url(`/listings/${encodeURIComponent(id)}`), { method: 'DELETE', token: this.token() });
  }

  myListings(signal?: AbortSignal): Promise<{ listings: Listing[] }> {
    return request(this.url('/me/listings'), { token: this.token(), ...(signal ? { signal } : {}) });
  }

  similarCars(id: string, signal?: AbortSignal): Promise<SimilarCars> {
    return request(this.url(`/listings/${encodeURIComponent(id)}/similar`), { token: this.token(), ...(signal ? { signal } : {}) });
  }

  clickSimilarCar(id: string, itemId: string): Promise<Schemas['SimilarClick']> {
    return request(this.url(`/listings/${encodeURIComponent(id)}/similar/${encodeURIComponent(itemId)}/clicks`), {
      method: 'POST',
      token: this.token(),
    });
  }

  listingOffers(id: string, signal?: AbortSignal): Promise<ListingOffers> {
    return request(this.url(`/listings/${encodeURIComponent(id)}/offers`), { token: this.token(), ...(signal ? { signal } : {}) });
  }
}
