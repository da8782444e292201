Feature: Similar cars for buyers, surfaced stock and market prices for dealers
  As a buyer looking at a shared listing
  I want to see similar cars from the OEM's dealers and other sellers, with why they are similar
  So that I can compare before I decide

  As a dealer
  I want to see how often my stock is shown and clicked, and what a car is worth on the market
  So that I can price my stock and trade-ins

  Listings are seeded straight into the table in the shape the seller routes write. Ranking is
  internal/listing's documented score; counts are per dealer, car and day and never name a buyer.

  Background:
    Given the service answers its health check

  @inprocess
  Scenario: A buyer opens a share link's similar cars and clicks a dealer car
    Given an active listing of a 2022 Volkswagen Golf with 44000 km at 14500 EUR
    And another active listing of a 2021 Volkswagen Golf with 64000 km at 12500 EUR
    When an anonymous visitor opens the similar cars of the listing
    Then the answer is 200
    And the similar cars hold dealer stock and the other listing, best first, each with a score and reasons
    And the other listing's reasons are "same model, 1 year older, 20,000 km more, 2,000 EUR cheaper, verified history"
    And the similar cars hold no VIN and no seller
    When the visitor clicks the first dealer car
    Then the answer is 200
    And the answer links to the dealer's page of that car

  @inprocess
  Scenario: Similar cars page through with the cursor
    Given an active listing of a 2022 Volkswagen Golf with 44000 km at 14500 EUR
    When an anonymous visitor opens the similar cars of the listing 3 at a time until the last page
    Then every page was 200 and no car came twice

  @inprocess
  Scenario: Similar cars still answer when the dealer stock system is down
    Given an active listing of a 2022 Volkswagen Golf with 44000 km at 14500 EUR
    And another active listing of a 2021 Volkswagen Golf with 64000 km at 12500 EUR
    And the dealer-stock system is down
    When an anonymous visitor opens the similar cars of the listing
    Then the answer is 200
    And the similar cars are listings only, and say dealer stock is unavailable

  @inprocess
  Scenario: A withdrawn listing has no similar cars
    Given a withdrawn listing of a 2022 Volkswagen Golf with 44000 km at 14500 EUR
    When an anonymous visitor opens the similar cars of the listing
    Then the answer is 410

  Scenario: An unknown listing has no similar cars
    When an anonymous visitor opens the similar cars of a listing that does not exist
    Then the answer is 404

  @inprocess
  Scenario: A dealer sees its surfaced stock with impressions and clicks
    Given an active listing of a 2022 Volkswagen Golf with 44000 km at 14500 EUR
    And dealer-dan has looked at the surfaced stock
    When an anonymous visitor opens the similar cars of the listing
    And the visitor clicks a car of dealer-dan's dealer
    And dealer-dan asks for the surfaced stock
    Then the answer is 200
    And that car shows 1 more impression and 1 more click today than before
    And the surfaced stock holds counts only, no buyer

  Scenario: A dealer prices a trade-in with the market view
    When dealer-dan asks for the market of "WVWZZZCD2NW600006"
    Then the answer is 200
    And the market view is a Volkswagen Golf of 2022 with ordered price quartiles over at least 3 cars

  Scenario Outline: Only dealers see surfaced stock and the market
    When <who> asks for the <view>
    Then the answer is <status>

    Examples:
      | who                  | view                            | status |
      | alice                | surfaced stock                  | 403    |
      | an anonymous visitor | surfaced stock                  | 401    |
      | alice                | market of "WVWZZZCD2NW600006"   | 403    |
      | an anonymous visitor | market of "WVWZZZCD2NW600006"   | 401    |
