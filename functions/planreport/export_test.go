package planreport

// Encode is encode, for the external tests.
var Encode = encode
