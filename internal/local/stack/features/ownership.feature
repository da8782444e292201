Feature: Proving ownership
  As the owner of a car
  I want to prove that it is mine
  So that I see its personal parts (keeper, plates, where it was serviced) and nobody else does

  Proof works by a one-time code the registry sends to the owner on record (locally it lands in
  the development outbox), or by the code printed on the registration document. A challenge takes
  at most 5 guesses within 10 minutes.

  Background:
    Given the service answers its health check

  @inprocess
  Scenario: The owner proves ownership with the code sent to the owner on record
    Given the vehicle with three owners
    When bob starts an ownership challenge by "owner-code"
    Then the answer is 201
    When bob answers the challenge with the code sent to the owner on record
    Then the answer is 200
    And the answer grants owner access
    When bob asks for its report
    Then the report is the owner view
    When alice asks for its report
    Then the report is the public view

  @inprocess
  Scenario: A wrong code is refused and says how many attempts are left
    Given the vehicle with three owners
    When alice starts an ownership challenge by "owner-code"
    And alice answers the challenge with a wrong code
    Then the answer is 403 naming the field "code" and the rule "mismatch"
    And the answer says 4 attempts are left

  Scenario Outline: Only signed-in consumers may prove ownership
    Given the vehicle with three owners
    When <who> starts an ownership challenge by "owner-code"
    Then the answer is <status>

    Examples:
      | who                  | status |
      | dealer-dan           | 403    |
      | an anonymous visitor | 401    |
