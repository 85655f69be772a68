// cxx.cc - C++ with the standard library (libc++ for wasm32, -fno-exceptions):
// iostream, string, vector, map, unordered_map, algorithms, stringstream,
// smart pointers, lambdas and std::function.
#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

struct Shape {
	virtual ~Shape() = default;
	virtual double area() const = 0;
	virtual std::string name() const = 0;
};
struct Rect : Shape {
	double w, h;
	Rect(double w_, double h_) : w(w_), h(h_) {}
	double area() const override { return w * h; }
	std::string name() const override { return "rect"; }
};
struct Square : Rect {
	explicit Square(double s) : Rect(s, s) {}
	std::string name() const override { return "square"; }
};

int main(int argc, char **argv)
{
	std::vector<int> v{ 5, 3, 9, 1, 7, 3 };
	std::sort(v.begin(), v.end());
	v.erase(std::unique(v.begin(), v.end()), v.end());
	std::cout << "sorted:";
	for (int x : v)
		std::cout << ' ' << x;
	std::cout << "\nsum=" << std::accumulate(v.begin(), v.end(), 0) << '\n';

	std::string text = "the quick brown fox jumps over the lazy dog the end";
	std::istringstream in(text);
	std::map<std::string, int> counts;
	std::unordered_map<std::string, size_t> lengths;
	for (std::string w; in >> w;) {
		counts[w]++;
		lengths[w] = w.size();
	}
	for (const auto &[word, n] : counts)
		if (n > 1)
			std::cout << word << " x" << n << '\n';
	std::cout << "distinct=" << counts.size() << " len(quick)=" << lengths["quick"] << '\n';

	std::vector<std::unique_ptr<Shape>> shapes;
	shapes.push_back(std::make_unique<Rect>(2, 3));
	shapes.push_back(std::make_unique<Square>(4));
	std::function<double(const Shape &)> twice = [](const Shape &s) { return 2 * s.area(); };
	for (const auto &s : shapes)
		std::cout << s->name() << " area " << s->area() << " twice " << twice(*s) << '\n';

	std::ostringstream os;
	os.precision(4);
	os << std::fixed << 3.14159265 << '|' << std::hex << 255;
	std::cout << os.str() << '\n';
	std::string up = "MiXeD";
	std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
	std::cout << up << " argc=" << argc << " argv0=" << argv[0] << std::endl;
	return 0;
}
