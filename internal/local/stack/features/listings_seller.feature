Feature: Selling a car with its verified record
  As the owner of a car
  I want to list it with the facts the manufacturer verified
  So that buyers trust what they read, and I can share one link

  Only an owner who proved ownership can list a car. The listing shows the public verified
  record (never a personal field) beside the seller's price, words and photos.

  Background:
    Given the service answers its health check

  @inprocess
  Scenario: An owner proves ownership, lists the car and shares the link
    Given a car alice has proven she owns with the code on its registration document
    When alice lists it for 18500 EUR
    Then the answer is 201
    And the listing is active with a share link
    And the listing shows the verified make, model and odometer with their sources
    And no listing answer carries the owner's personal data
    When an anonymous visitor opens the share link
    Then the answer is 200
    And the listing shows the verified make, model and odometer with their sources
    When alice lists it again with the same Idempotency-Key
    Then the answer is 201
    And it is the same listing
    When alice lists it again under another Idempotency-Key
    Then the answer is 409
    And the answer names the existing listing

  @inprocess
  Scenario: Someone who has not proven ownership cannot list the car
    Given a car alice has proven she owns with the code on its registration document
    When bob lists it for 18500 EUR
    Then the answer is 403
    When dealer-dan lists it for 18500 EUR
    Then the answer is 403
    When an anonymous visitor lists it for 18500 EUR
    Then the answer is 401

  @inprocess
  Scenario: The seller edits with a stale ETag and is told to read again
    Given a car alice has proven she owns with the code on its registration document
    And alice has listed it for 18500 EUR
    When alice changes the price to 17900 EUR with the ETag she read
    Then the answer is 200
    When alice changes the price to 17500 EUR with the ETag she read first
    Then the answer is 412
    When alice changes the price to 17500 EUR without an ETag
    Then the answer is 428
    When bob changes the price to 100 EUR with the current ETag
    Then the answer is 403
    When an anonymous visitor opens the share link
    Then the listing's price is 17900 EUR

  @inprocess
  Scenario: The seller withdraws the listing and the link says it is gone
    Given a car alice has proven she owns with the code on its registration document
    And alice has listed it for 18500 EUR
    When bob withdraws the listing
    Then the answer is 403
    When alice withdraws the listing
    Then the answer is 204
    When an anonymous visitor opens the share link
    Then the answer is 410
    When alice looks at her listings
    Then the answer is 200
    And her listings include the withdrawn one

  @inprocess
  Scenario: Bad input is refused naming the field and the rule, and changes nothing
    Given a car alice has proven she owns with the code on its registration document
    And alice has counted her listings
    When alice lists it with a photo at "https://169.254.169.254/latest/meta-data"
    Then the answer is 400 naming the field "photos[0]" and the rule "public-host"
    When alice lists it for 99 EUR
    Then the answer is 400 naming the field "body.priceEur" and the rule "range"
    And alice has as many listings as before
