"""What the JSON API and the HTML pages share about HTTP: dependencies (store, keys), parameter types, the
status of each domain error, and table files. Both import it; neither imports the other."""
