"""Pure maths and codecs of the supply domain: codes, rules, matching, propagation, EPCIS."""
