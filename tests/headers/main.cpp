// The header self-containment test: every public header of fixnet is
// compiled in a translation unit of its own (generated from
// header_test.cpp.in), and all of them are linked into this program. That a
// build succeeds is the test: each header includes what it uses, and no
// header defines a non-inline function or variable (two units would then
// define it twice and the link would fail).
int main() { return 0; }
