// Package sitebucket reads the deployed site's index.html from its S3 bucket, for the share-page
// Lambda (functions/sharepage): the page it serves for /l/{id} must be the index.html the site
// deployment put there, with the same hashed script names, not a copy built into the function.
package sitebucket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// DefaultTTL is how long an index.html read is used: a site deployment shows in share pages
// within it, and a busy share link costs one S3 read a minute per instance.
const DefaultTTL = time.Minute

// maxIndex bounds the read: index.html is about a kilobyte; anything near this is not it.
const maxIndex = 1 << 20

// Getter is the one S3 call the index needs (*s3.Client).
type Getter interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Index is the site's index.html, read through and kept for TTL. Safe for concurrent use.
type Index struct {
	client      Getter
	bucket, key string
	ttl         time.Duration
	now         func() time.Time

	mu      sync.Mutex
	body    []byte
	fetched time.Time
}

// Options configure an Index.
type Options struct {
	// Key is the object; "index.html" when empty.
	Key string
	// TTL is how long a read is kept; DefaultTTL when zero.
	TTL time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// New reads index.html of bucket with client.
func New(client Getter, bucket string, o Options) *Index {
	i := &Index{client: client, bucket: bucket, key: o.Key, ttl: o.TTL, now: o.Now}
	if i.key == "" {
		i.key = "index.html"
	}
	if i.ttl <= 0 {
		i.ttl = DefaultTTL
	}
	if i.now == nil {
		i.now = time.Now
	}
	return i
}

// Get returns index.html. When a fresh read fails, the last good one is returned if there is
// one: a share page from the previous deployment's index beats no page at all.
func (i *Index) Get(ctx context.Context) ([]byte, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.body != nil && i.now().Sub(i.fetched) < i.ttl {
		return i.body, nil
	}
	body, err := i.read(ctx)
	if err != nil {
		if i.body != nil {
			return i.body, nil
		}
		return nil, err
	}
	i.body, i.fetched = body, i.now()
	return body, nil
}

func (i *Index) read(ctx context.Context) ([]byte, error) {
	out, err := i.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(i.bucket), Key: aws.String(i.key)})
	if err != nil {
		return nil, fmt.Errorf("sitebucket: get %s: %w", i.key, err)
	}
	defer func() { _ = out.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(out.Body, maxIndex+1))
	if err != nil {
		return nil, fmt.Errorf("sitebucket: read %s: %w", i.key, err)
	}
	if len(body) > maxIndex {
		return nil, errors.New("sitebucket: " + i.key + " is over 1 MiB")
	}
	return body, nil
}
