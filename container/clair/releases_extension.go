// Not part of upstream Clair. The Dockerfile copies this file into the package
// github.com/quay/clair/v2/database of Clair v2.1.8 before building, so that no upstream line is
// changed. Clair's Debian and Ubuntu updaters, and its apt-sources detector, skip every release
// missing from the two tables below; upstream stops at Debian 11 and Ubuntu 20.04, so images on
// newer releases would get no vulnerability data and scan clean.

package database

// currentDebianReleases adds the Debian code names released after bullseye and moves the class
// names to today's releases: upstream's class names still point at Debian 7 to 10. Class names
// move at every Debian release (trixie became stable in August 2025), so review them then.
var currentDebianReleases = map[string]string{
	"bookworm": "12",
	"trixie":   "13",
	"forky":    "14",

	"oldoldstable": "11",
	"oldstable":    "12",
	"stable":       "13",
	"testing":      "14",
}

// currentUbuntuReleases adds the Ubuntu releases after focal (20.04), up to resolute (26.04 LTS).
// groovy, hirsute and impish are end of life, but images built on them still exist and must get
// their data rather than scan clean.
var currentUbuntuReleases = map[string]string{
	"groovy":   "20.10",
	"hirsute":  "21.04",
	"impish":   "21.10",
	"jammy":    "22.04",
	"kinetic":  "22.10",
	"lunar":    "23.04",
	"mantic":   "23.10",
	"noble":    "24.04",
	"oracular": "24.10",
	"plucky":   "25.04",
	"questing": "25.10",
	"resolute": "26.04",
}

// Package-level maps are initialised before any init function runs, so upstream's tables exist
// here; entries are only set, never deleted.
func init() {
	for name, version := range currentDebianReleases {
		DebianReleasesMapping[name] = version
	}
	for name, version := range currentUbuntuReleases {
		UbuntuReleasesMapping[name] = version
	}
}
