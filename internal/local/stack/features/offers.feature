Feature: After-sales offers
  As the owner of a car I want the service plans and accessories the manufacturer offers for it,
  and as a buyer I want to know how I could finance the car I am looking at.

  Offers come from the slow after-sales system and are cached per car for a day. Service plans
  and accessories are only for the owner (who proved ownership); financing is for anyone. When
  the after-sales system is down the answer still comes: the cached offers marked stale with
  their age, or the sections marked unavailable.

  Background:
    Given the service answers its health check

  Scenario: A buyer sees financing
    Given a vehicle with after-sales offers
    When a buyer asks for its offers
    Then the answer is 200
    And the offers show financing only
    And the offers section financing is "fresh"

  @inprocess
  Scenario: An owner sees service plans
    Given a vehicle alice has proven she owns
    When alice asks for its offers
    Then the answer is 200
    And the offers are the owner view with service plans
    And the offers sections servicePlans, accessories and financing are "fresh"

  Scenario: A signed-in consumer who has proven nothing sees financing only
    Given a vehicle with after-sales offers
    When bob asks for its offers
    Then the answer is 200
    And the offers show financing only

  @inprocess
  Scenario: A buyer sees financing for a listed car, never its VIN
    Given an active listing of a vehicle with after-sales offers
    When a buyer asks for the listing's offers
    Then the answer is 200
    And the offers show financing only
    And the answer does not carry the vehicle's VIN

  @inprocess
  Scenario: A withdrawn listing has no offers
    Given a withdrawn listing
    When a buyer asks for the listing's offers
    Then the answer is 410

  @inprocess
  Scenario: A second look is served from the cache
    Given a vehicle whose offers were looked up a moment ago
    When a buyer asks for its offers
    Then the answer is 200
    And the offers section financing is "fresh"
    And the offers system was asked 0 times

  @inprocess
  Scenario: With the offers system down, the cached offers are served stale
    Given a vehicle whose offers were looked up 2 days ago
    And the offers system is down
    When a buyer asks for its offers
    Then the answer is 200
    And the offers section financing is "stale"

  @inprocess
  Scenario: With the offers system down and nothing cached, the answer still comes
    Given a vehicle with after-sales offers
    And the offers system is down
    When a buyer asks for its offers
    Then the answer is 200
    And the offers section financing is "unavailable"

  Scenario: A car of another make has no offers
    When a buyer asks for the offers of "1M8GDM9AXKP042788"
    Then the answer is 404
