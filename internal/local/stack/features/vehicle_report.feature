Feature: Verified vehicle report
  As someone about to buy or sell a car
  I want its verified history, assembled from the manufacturer's own systems
  So that I can trust what the seller tells me

  The report comes from four slow legacy systems: vehicle master, workshop, registry and recalls.
  It is cached, so a second look costs no legacy call, and a system that is down costs only its
  own section, never the whole report.

  Background:
    Given the service answers its health check

  @inprocess
  Scenario: A first look assembles the report from every source
    Given a vehicle nobody has looked up yet
    When an anonymous visitor asks for its report
    Then the answer is 200
    And the sections build, serviceHistory, odometer, recalls and registration are "fresh"
    And each legacy system was asked once

  @inprocess
  Scenario: A second look is served from the cache
    Given a vehicle whose report was looked up a moment ago
    When an anonymous visitor asks for its report
    Then the answer is 200
    And the sections build, serviceHistory, odometer, recalls and registration are "fresh"
    And no legacy system was asked

  @inprocess
  Scenario: A source that is down costs only its own section
    Given a vehicle nobody has looked up yet
    And the workshop system is down
    When an anonymous visitor asks for its report
    Then the answer is 200
    And the section serviceHistory is "unavailable"
    And the sections build, recalls and registration are "fresh"

  @inprocess
  Scenario: With every source down, a stale cache is served and flagged
    Given a vehicle whose report was looked up 2 days ago
    And every legacy system is down
    When an anonymous visitor asks for its report
    Then the answer is 200
    And the sections serviceHistory, odometer, recalls and registration are "stale"
    And the section build is "fresh"

  Scenario Outline: A malformed VIN is rejected, naming the rule it breaks
    When an anonymous visitor asks for the report of "<vin>"
    Then the answer is 400 naming the field "vin" and the rule "<rule>"

    Examples:
      | vin                | rule        |
      | WVWZZZ1KZ6W00001   | length      |
      | WVWZZZ1KZ6W00000I  | alphabet    |
      | WVWZZZ1K26W000001  | check-digit |

  @inprocess
  Scenario: A malformed VIN costs no legacy call
    When an anonymous visitor asks for the report of "WVWZZZ1K26W000001"
    Then the answer is 400 naming the field "vin" and the rule "check-digit"
    And no legacy system was asked

  Scenario: A signed-in consumer who has proven nothing sees the public view
    Given a vehicle nobody has looked up yet
    When alice asks for its report
    Then the answer is 200
    And the report is the public view

  Scenario: A VIN the manufacturer never assigned is not found
    Given a well-formed VIN the manufacturer never assigned
    When an anonymous visitor asks for its report
    Then the answer is 404

  @inprocess
  Scenario: A VIN nobody can confirm while the vehicle master is down is not reported
    Given a well-formed VIN the manufacturer never assigned
    And every legacy system is down
    When an anonymous visitor asks for its report
    Then the answer is 503 with a Retry-After

  @inprocess @load
  Scenario: A rush of first looks costs one legacy call per source
    Given a vehicle nobody has looked up yet
    When 100 anonymous visitors ask for its report at the same time
    Then every answer is 200
    And each legacy system was asked once

  @inprocess
  Scenario: Only the proven owner sees the personal sections
    Given a vehicle alice has proven she owns
    When alice asks for its report
    Then the answer is 200
    And the report is the owner view
    When bob asks for its report
    Then the answer is 200
    And the report is the public view
    When an anonymous visitor asks for its report
    Then the report is the public view
