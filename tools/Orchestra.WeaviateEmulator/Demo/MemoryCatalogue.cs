namespace Orchestra.WeaviateEmulator;

/// <summary>
/// What the demo memories are made of: per topic, the users whose lives it touches, the words bm25 finds it by,
/// named lists of slot values, and templates per kind of memory. A template's <c>{slot}</c> takes a value of the
/// topic's list of that name (<c>{slot2}</c>: another value of the same list), or one of the common slots
/// <c>{user}</c>, <c>{day}</c>, <c>{month}</c>, <c>{n}</c>.
/// </summary>
internal static class MemoryCatalogue
{
    public const string Preference = "preference";
    public const string Fact = "fact";
    public const string Summary = "summary";
    public const string Instruction = "instruction";
    public const string Error = "error";

    public static readonly string[] Kinds = [Preference, Fact, Summary, Instruction, Error];

    public sealed record Topic(
        string Name,
        string[] Users,
        string[] Keywords,
        Dictionary<string, string[]> Slots,
        Dictionary<string, string[]> Templates);

    /// <summary>A hand-written memory with the question it answers (see <see cref="DemoData.SampleQuestions"/>).</summary>
    public sealed record Anchor(string Topic, string Kind, string User, string Content, string Question);

    public static readonly string[] Days =
        ["on Monday", "last Tuesday", "yesterday", "on Friday evening", "over the weekend", "this morning", "last week", "on Sunday"];

    public static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static readonly string[] Numbers = ["3", "5", "6", "8", "10", "12", "14", "20"];

    public static readonly Topic[] Topics =
    [
        new("astronomy", ["Sam", "Aiko", "Omar"],
            ["telescope", "galaxy", "nebula", "comet", "orbit", "planet", "moon", "eclipse", "observatory", "meteor", "star", "Jupiter", "Saturn", "sky", "astronomy", "observing"],
            new()
            {
                ["scope"] = ["8-inch Dobsonian telescope", "refractor telescope", "Celestron NexStar telescope", "80 mm travel telescope", "Newtonian reflector telescope"],
                ["target"] = ["the Orion Nebula", "the Andromeda galaxy", "Jupiter's moons", "the Pleiades star cluster", "comet 12P", "the Ring Nebula", "Mars at opposition", "the Whirlpool galaxy"],
                ["site"] = ["the dark-sky park", "the roof of the community observatory", "a field outside the city", "the hill behind the farm", "the astronomy club's observatory"],
                ["gear"] = ["a red-dot finder", "a 25 mm eyepiece", "a light-pollution filter", "a star tracker mount", "a dew heater", "a Barlow lens"],
                ["app"] = ["Stellarium", "SkySafari", "PixInsight", "Sky Guide"],
                ["event"] = ["the lunar eclipse", "the Geminid meteor shower", "the Perseid meteor shower", "the planetary conjunction", "the partial solar eclipse"],
                ["orbiter"] = ["comet Halley", "comet 12P", "the asteroid Apophis", "Pluto", "comet NEOWISE"],
            },
            new()
            {
                [Preference] =
                [
                    "{user} prefers observing with the {scope} rather than binoculars and likes targets such as {target}.",
                    "{user} likes stargazing at {site} on nights when the moon is below the horizon.",
                    "{user} wants telescope suggestions under 500 euros; anything above that is out of budget, even with {gear}.",
                    "For astrophotography {user} prefers {app} for stacking and dislikes heavy noise reduction on nebula shots.",
                ],
                [Fact] =
                [
                    "{user} owns a {scope} and recently bought {gear} for it.",
                    "{user} is a member of an astronomy club that meets at {site} on the first Friday of each month.",
                    "{user} has logged {n} hours of telescope time on {target} since {month}.",
                    "{user} keeps an observing log of every planet and comet seen through the telescope, kept in {app}.",
                ],
                [Summary] =
                [
                    "Conversation summary: {user} asked how to collimate the {scope}; we went through the steps and agreed to do a star test at {site}.",
                    "Summary: {user} planned to watch {event} {day}; we compared the cloud forecast and chose {site} for the clearest sky.",
                    "Talked with {user} about why {target} looked faint in the telescope; the likely causes were light pollution and the lack of {gear}.",
                    "{user} wanted to understand why {orbiter} follows such an elongated orbit; I explained Kepler's laws with a sketch of the orbit.",
                ],
                [Instruction] =
                [
                    "{user} asked me to remind them two days before {event} and to check the sky forecast for {site}.",
                    "Instruction from {user}: give telescope coordinates for {target} in right ascension and declination, not altitude and azimuth.",
                    "{user} told me to log each observing session with the seeing, the eyepiece and the target, for example {target}.",
                    "{user} wants a warning about the moon phase before planning any deep-sky session at {site}.",
                ],
                [Error] =
                [
                    "Error: the sky-chart lookup for {target} timed out at the ephemeris service, so the rise time I gave {user} may be off.",
                    "I gave {user} the wrong date for {event}; they noticed, and I corrected it from the observatory's calendar.",
                    "Could not import {user}'s observing log into {app}: the export file from the telescope had an unsupported format.",
                    "The telescope mount refused the goto command for {target} because it had not been aligned; {user} redid the star alignment.",
                ],
            }),

        new("cooking", ["Tom", "Elena", "Priya"],
            ["recipe", "cook", "bake", "oven", "dish", "dinner", "kitchen", "sourdough", "risotto", "skillet", "meal", "dough", "sauce", "menu"],
            new()
            {
                ["dish"] = ["mushroom risotto", "chicken curry", "lemon tart", "beef stew", "vegetable lasagne", "miso ramen", "shakshuka", "banana bread", "pad thai", "paella"],
                ["ingredient"] = ["mushrooms", "peanuts", "blue cheese", "anchovies", "olives", "chili", "coconut milk", "aubergine"],
                ["tool"] = ["cast-iron skillet", "Dutch oven", "stand mixer", "pressure cooker", "air fryer", "wok"],
                ["diet"] = ["vegetarian", "gluten-free", "low-salt", "dairy-free"],
                ["occasion"] = ["a birthday dinner", "Sunday lunch", "a picnic", "a dinner party", "the family reunion"],
            },
            new()
            {
                [Preference] =
                [
                    "{user} prefers {diet} recipes on weekdays and is happy to cook something richer like {dish} at weekends.",
                    "{user} likes recipes that need only one pot or the {tool}, and less than 40 minutes in the kitchen.",
                    "When suggesting a dinner recipe, {user} prefers measurements in grams and oven temperatures in Celsius.",
                    "{user} prefers spicy food, and asks for extra chili in any {dish} recipe.",
                ],
                [Fact] =
                [
                    "{user} uses the {tool} in the kitchen almost every week, most often to cook {dish}.",
                    "{user}'s partner cannot eat {ingredient}, so every dinner recipe must leave it out.",
                    "{user} has fed the same sourdough starter since {month} and bakes a loaf every Saturday.",
                    "{user}'s signature dish is {dish}, which they cook for {occasion}.",
                ],
                [Summary] =
                [
                    "Summary: {user} and I planned the menu for {occasion} with {n} guests; the main dish is {dish} and one guest is {diet}.",
                    "Conversation summary: {user}'s {dish} came out dry; we lowered the oven temperature and shortened the cooking time.",
                    "We scaled the {dish} recipe for {n} people with {user}; they will prepare the sauce the day before.",
                    "{user} asked why their bread dough was not rising; we traced it to a cold kitchen and a tired sourdough starter.",
                ],
                [Instruction] =
                [
                    "{user} asked me to build next week's meal plan around {dish} and to keep every recipe {diet}.",
                    "Instruction: when {user} asks for a recipe, list the ingredients first, then the steps, and flag anything with {ingredient}.",
                    "{user} wants a shopping list grouped by supermarket aisle whenever we plan dinners with {dish}.",
                    "{user} told me to convert cups to grams in every recipe from American cookbooks, including the {dish}.",
                ],
                [Error] =
                [
                    "Error: the recipe import from the cooking blog failed because the page had no structured recipe data; {user} pasted the {dish} ingredients by hand.",
                    "I suggested a {dish} recipe with {ingredient} to {user} although their partner cannot eat it; I apologised and swapped the ingredient.",
                    "The kitchen timer I set for {user}'s {dish} did not go off because the kitchen speaker was offline.",
                    "Unit mistake: I told {user} to bake the {dish} at 180 °F instead of 180 °C in the oven.",
                ],
            }),

        new("gardening", ["Tom", "Sam", "Elena"],
            ["garden", "plant", "soil", "compost", "seedlings", "greenhouse", "mulch", "pruning", "harvest", "allotment", "sow", "water", "beds", "leaves"],
            new()
            {
                ["plant"] = ["tomatoes", "roses", "courgettes", "lavender", "strawberries", "runner beans", "apple trees", "basil", "hydrangeas", "garlic"],
                ["pest"] = ["aphids", "slugs", "blight", "powdery mildew", "vine weevils", "caterpillars"],
                ["place"] = ["the raised beds", "the allotment", "the greenhouse", "the balcony planters", "the back garden"],
                ["soil"] = ["heavy clay soil", "sandy soil", "acidic soil", "chalky soil"],
                ["task"] = ["pruning", "mulching", "repotting the seedlings", "turning the compost", "sowing seeds"],
                ["season"] = ["spring", "summer", "autumn"],
            },
            new()
            {
                [Preference] =
                [
                    "{user} prefers organic gardening: no chemical sprays against {pest}, only companion planting and picking by hand.",
                    "{user} likes low-maintenance plants for {place} because they only have time for the garden at weekends.",
                    "{user} would rather sow {plant} from seed than buy plug plants from the garden centre.",
                    "{user} wants gardening reminders such as {task} on Saturday mornings, never on weekday evenings.",
                ],
                [Fact] =
                [
                    "{user} has {soil} in {place} and digs in compost every autumn to improve it.",
                    "{user} grows {plant} in {place} and harvested a good crop last {season}.",
                    "{user} keeps a compost heap and a rain barrel to water {place}.",
                    "{user}'s {plant} were hit by {pest} last {season}, so the beds are rotated now.",
                ],
                [Summary] =
                [
                    "Summary: {user} asked how to protect the {plant} in {place} from {pest}; they chose netting and a garlic spray.",
                    "Talked {user} through {task} in {place}; we agreed to do it after the last frost.",
                    "Conversation summary: {user} is planning {place} for next spring with {plant} and {plant2}; we drew a planting plan.",
                    "{user} asked which plants suit {soil}; I suggested {plant} and {plant2} and adding mulch to keep the moisture in.",
                ],
                [Instruction] =
                [
                    "{user} asked me to remind them to water {place} whenever the forecast shows more than three dry days.",
                    "Instruction from {user}: log every harvest from {place} with the date and the weight.",
                    "{user} told me to schedule {task} in the garden for the first dry weekend of {month}.",
                    "{user} wants the sowing dates for {plant} worked out from the last frost date of their area.",
                ],
                [Error] =
                [
                    "Error: the plant identification service could not recognise the photo {user} sent of the {plant} leaves; the image was too dark.",
                    "I gave {user} the wrong month to sow {plant}; the seed packet said {month}, so I corrected the garden calendar.",
                    "The watering reminder for {place} fired twice because the garden schedule was duplicated; {user} asked me to clean it up.",
                    "Could not fetch the frost forecast for {user}'s allotment: the weather service returned an error, so {task} was planned from a rough estimate.",
                ],
            }),

        new("finance", ["Lucas", "Maya", "Omar"],
            ["budget", "invoice", "tax", "savings", "mortgage", "portfolio", "invest", "pension", "expense", "bank", "dividend", "account", "money", "spending", "pay"],
            new()
            {
                ["account"] = ["the joint savings account", "the index fund portfolio", "the pension fund", "the tax-free savings account", "the brokerage account"],
                ["amount"] = ["300 euros", "500 euros", "1,200 euros", "250 pounds", "2,000 dollars", "80 euros"],
                ["bill"] = ["the mortgage", "the electricity bill", "the car insurance", "the council tax", "the phone contract", "the water bill"],
                ["expense"] = ["groceries", "eating out", "subscriptions", "childcare", "fuel", "home repairs"],
                ["tool"] = ["a spreadsheet", "a budgeting app", "the bank's app", "a paper ledger"],
            },
            new()
            {
                [Preference] =
                [
                    "{user} prefers low-cost index funds to picking individual stocks and wants no crypto suggestions for {account}.",
                    "{user} likes the monthly budget as a table of categories with planned against actual spending on {expense}.",
                    "{user} prefers to pay {bill} by direct debit on the 1st, right after payday, from the main bank account.",
                    "When we talk about money, {user} wants amounts rounded to whole euros and no investment jargon.",
                ],
                [Fact] =
                [
                    "{user} pays {amount} a month for {bill} from the joint bank account.",
                    "{user} tracks every expense in {tool} and reconciles it with the bank statement on Sundays.",
                    "{user} works freelance this year and sends invoices to {n} clients by the 5th of each month.",
                    "{user}'s mortgage fixed rate ends in {month} next year; they want to compare remortgage offers before then.",
                ],
                [Summary] =
                [
                    "Summary: {user} and I reviewed last month's budget; spending on {expense} went over by {amount}, so we lowered next month's limit.",
                    "Conversation summary: {user} asked how dividends from {account} are taxed; I explained the allowance and suggested an accountant.",
                    "We went through {user}'s tax return checklist: income, pension contributions and the receipts for {expense}.",
                    "{user} wondered whether to overpay {bill} or invest in {account}; we compared the interest rate with expected returns.",
                ],
                [Instruction] =
                [
                    "{user} asked me to remind them to pay {bill} three days before it is due.",
                    "Instruction from {user}: categorise every card payment over {amount} in the budget and flag anything spent on {expense}.",
                    "{user} told me never to move money between bank accounts without asking first, not even into {account}.",
                    "{user} wants a quarterly summary of {account}, with the fees listed separately.",
                ],
                [Error] =
                [
                    "Error: the bank statement import failed because the CSV used semicolons, so {user}'s expenses for {month} were not categorised.",
                    "I counted a {amount} refund twice in {user}'s budget; the monthly total was wrong until we reconciled it against the bank.",
                    "Currency conversion failed for {user}'s invoice to a client abroad: the exchange-rate service was unavailable.",
                    "The reminder to pay {bill} reached {user} too late and the bank charged a late fee; I now send reminders a week ahead.",
                ],
            }),

        new("software", ["Maya", "Lucas", "Aiko"],
            ["code", "deploy", "database", "repository", "bug", "build", "test", "server", "API", "compiler", "release", "software", "pipeline", "commit", "outage", "production"],
            new()
            {
                ["project"] = ["billing-service", "the mobile app", "the data pipeline", "the customer portal", "the search API", "the analytics dashboard"],
                ["lang"] = ["Rust", "TypeScript", "Go", "Python", "C#", "Kotlin"],
                ["db"] = ["PostgreSQL", "Redis", "MongoDB", "SQLite"],
                ["ci"] = ["GitHub Actions", "GitLab CI", "Jenkins"],
                ["cause"] = ["an expired TLS certificate", "a missing environment variable", "a flaky integration test", "the container running out of memory", "a wrong feature flag"],
            },
            new()
            {
                [Preference] =
                [
                    "{user} prefers {lang} for new services and wants code examples in {lang} unless asked otherwise.",
                    "{user} prefers small pull requests and wants code review comments on {project} phrased as suggestions.",
                    "{user} likes a failing test written before the bug fix and dislikes mocking the database.",
                    "{user} wants log output from {project} shown as structured JSON, not plain text, when we debug the server.",
                ],
                [Fact] =
                [
                    "{user} maintains {project}, written in {lang} with {db} as its database.",
                    "{user}'s team releases {project} with {ci} every Tuesday and Thursday.",
                    "{user} is on call for {project} and its production servers during the first week of {month}.",
                    "{project} has a staging server where {user} tests each release before it goes to production.",
                ],
                [Summary] =
                [
                    "Summary: an outage of {project} {day} was caused by {cause}; {user} fixed it and wrote a short postmortem.",
                    "Conversation summary: {user} and I debugged slow queries in {project}; an index in {db} fixed most of the latency.",
                    "We refactored the authentication code of {project} with {user}; the remaining work is tracked in the repository's issues.",
                    "{user} asked how to structure the tests for {project}; we settled on unit tests plus a few end-to-end tests in {ci}.",
                ],
                [Instruction] =
                [
                    "{user} asked me to run the linter and the test suite before suggesting any commit to {project}.",
                    "Instruction from {user}: never push directly to main in the repository of {project}; open a branch and a pull request.",
                    "{user} wants release notes for {project} written from the commit history, grouped into features and bug fixes.",
                    "{user} told me to use {db} in local development examples for {project} rather than an in-memory database.",
                ],
                [Error] =
                [
                    "Error: the build of {project} failed in {ci} because a dependency could not be resolved; I pointed {user} to the lock file.",
                    "I suggested an API that does not exist in {lang} to {user}; the compiler rejected it and I corrected the code.",
                    "Could not search {user}'s repository for {project}: the access token had expired, so the code search returned nothing.",
                    "The test suite of {project} timed out while I ran it for {user}; one test was waiting for {db}, which had not been started.",
                ],
            }),

        new("music", ["Aiko", "Omar", "Maya"],
            ["music", "song", "guitar", "piano", "melody", "chord", "concert", "album", "rhythm", "practice", "practise", "band", "playlist", "violin", "cello"],
            new()
            {
                ["instrument"] = ["piano", "acoustic guitar", "violin", "cello", "drum kit", "bass guitar", "ukulele"],
                ["genre"] = ["jazz", "classical", "indie rock", "bossa nova", "blues", "folk"],
                ["artist"] = ["Miles Davis", "Radiohead", "Nina Simone", "Chopin", "Fleetwood Mac", "Bach", "Joni Mitchell"],
                ["piece"] = ["Autumn Leaves", "a Bach minuet", "Wonderwall", "a Chopin nocturne", "Take Five", "Blackbird", "The Girl from Ipanema"],
                ["venue"] = ["the jazz club downtown", "the city concert hall", "the summer festival", "the old church where the choir sings"],
            },
            new()
            {
                [Preference] =
                [
                    "{user} loves {genre} music, especially {artist}, and wants playlist suggestions in that style.",
                    "{user} prefers short daily practice on the {instrument} to one long session at the weekend.",
                    "{user} dislikes loud concerts and prefers seated venues like {venue}.",
                    "{user} likes sheet music with chord symbols written above the melody, even for {piece}.",
                ],
                [Fact] =
                [
                    "{user} plays the {instrument} in a small {genre} band that rehearses every Wednesday.",
                    "{user} has taken {instrument} lessons since {month} with a teacher from the music school.",
                    "{user} has tickets for a {genre} concert at {venue} in {month}.",
                    "{user} is recording a first album at home: {n} songs, mostly {genre}, with the {instrument} on every track.",
                ],
                [Summary] =
                [
                    "Summary: {user} asked how to play {piece} on the {instrument}; we split it into four-bar sections and slowed the rhythm down.",
                    "Conversation summary: {user} wanted {genre} albums similar to {artist}; I suggested five and they saved three to a playlist.",
                    "We talked about {user}'s stage nerves before the concert at {venue}; breathing exercises and a full run-through of the songs helped.",
                    "{user} and I worked out the chord changes of {piece} and moved them to an easier key for singing.",
                ],
                [Instruction] =
                [
                    "{user} asked me to remind them to practise the {instrument} for 30 minutes every evening at 7.",
                    "Instruction from {user}: when suggesting music, always include one {genre} song they have not heard before.",
                    "{user} wants chords for {piece} written as letter names, not as Roman numerals.",
                    "{user} told me to keep a list of every piece of music they learn on the {instrument}, with the date they first played it through.",
                ],
                [Error] =
                [
                    "Error: the music streaming service rejected the playlist export for {user}; the account's access token had expired.",
                    "I transcribed the chords of {piece} wrongly for {user}; the bridge was in the wrong key, so we fixed it together.",
                    "The practice reminder for {user}'s {instrument} did not ring because the phone was on silent; the metronome app was also muted.",
                    "Could not find the concert at {venue} for {user}: the ticket site returned no results for {month}.",
                ],
            }),

        new("medicine", ["Priya", "Elena", "Tom"],
            ["doctor", "appointment", "symptom", "medication", "clinic", "health", "prescription", "diagnosis", "treatment", "vaccine", "patient", "therapy", "blood", "pharmacist"],
            new()
            {
                ["condition"] = ["asthma", "high blood pressure", "migraines", "type 2 diabetes", "hay fever", "lower back pain", "eczema"],
                ["care"] =
                [
                    "asthma and uses an inhaler on prescription from the GP",
                    "high blood pressure and takes the medication the cardiologist prescribed",
                    "migraines and sees a neurologist at the clinic twice a year",
                    "type 2 diabetes and takes metformin, prescribed by the doctor, with dinner",
                    "hay fever and takes antihistamine medication from April to July",
                    "eczema and uses a steroid cream on prescription from the dermatologist",
                    "lower back pain and has physiotherapy at the clinic every two weeks",
                ],
                ["pain"] = ["lower back pain", "migraines", "a sore knee", "neck pain", "a shoulder injury"],
                ["med"] = ["an inhaler", "antihistamines", "ibuprofen", "metformin", "vitamin D supplements", "a steroid cream"],
                ["doctor"] = ["the GP", "the cardiologist", "the physiotherapist", "the dermatologist", "the neurologist"],
                ["test"] = ["a blood test", "an MRI scan", "an allergy test", "a blood pressure check", "an eye exam"],
            },
            new()
            {
                [Preference] =
                [
                    "{user} prefers morning appointments with {doctor} and wants them booked at least two weeks ahead.",
                    "{user} wants medical information about {condition} explained in plain language, with links to the health service's pages.",
                    "{user} prefers physiotherapy and exercise to painkillers for {pain} when the doctor agrees.",
                    "{user} would rather get vaccine and appointment reminders by email than by text message.",
                ],
                [Fact] =
                [
                    "{user} has {care}.",
                    "{user} has a follow-up appointment at the clinic in {month} about {condition}.",
                    "{user} is allergic to penicillin; say so whenever a prescription or a new medication is discussed.",
                    "{user} had {test} in {month}, and the doctor said the results were normal.",
                ],
                [Summary] =
                [
                    "Summary: {user} described symptoms of {condition} getting worse at night; I suggested a symptom diary to show the doctor.",
                    "Conversation summary: {user} asked what to expect from {test} at the clinic; we went through the preparation and when the results come.",
                    "We listed {user}'s questions for the doctor's appointment about {condition}: side effects of the medication, the dose and the next check.",
                    "{user} wanted to understand the diagnosis of {condition}; I explained it and said to confirm the treatment plan with the doctor.",
                ],
                [Instruction] =
                [
                    "{user} asked me to remind them to renew the prescription for {med} a week before it runs out.",
                    "Instruction from {user}: never give dosage advice about {med}; refer dose questions to the doctor or the pharmacist.",
                    "{user} wants a log of {condition} symptoms with the date, how bad they were and what helped.",
                    "{user} told me to book {test} every year and add it to the family health calendar.",
                ],
                [Error] =
                [
                    "Error: booking the appointment with {doctor} failed because the clinic's online system was down; {user} had to phone the clinic.",
                    "I listed {med} twice a day instead of once in {user}'s medication schedule; {user} caught it and I corrected the reminder.",
                    "Could not read the PDF with {user}'s results of {test}: it was a scanned image without text, so the diagnosis notes were missing.",
                    "The reminder for {user}'s appointment with {doctor} was sent for the wrong day because of a time-zone error.",
                ],
            }),

        new("travel", ["Lucas", "Priya", "Sam"],
            ["trip", "travel", "flight", "hotel", "passport", "itinerary", "airport", "luggage", "train", "booking", "holiday", "visa", "ferry", "journey", "ticket"],
            new()
            {
                ["city"] = ["Kyoto", "Reykjavik", "Barcelona", "Vienna", "Edinburgh", "Istanbul", "Copenhagen", "Naples", "Krakow"],
                ["transport"] = ["night train", "ferry", "budget airline", "rental car", "high-speed train"],
                ["stay"] = ["a small guesthouse", "a hostel", "a rented apartment", "a hotel near the station"],
                ["item"] = ["passport", "travel adapter", "rail pass", "hiking boots", "travel insurance papers"],
            },
            new()
            {
                [Preference] =
                [
                    "{user} prefers the {transport} to flying for any trip under eight hours.",
                    "{user} likes to stay in {stay} close to the old town rather than in big hotel chains when travelling.",
                    "{user} wants travel itineraries with free afternoons and no more than two museums a day, even in {city}.",
                    "{user} prefers a window seat on the flight and always travels with hand luggage only.",
                ],
                [Fact] =
                [
                    "{user} has a trip to {city} planned for {month}, travelling by {transport}.",
                    "{user}'s passport expires in {month} next year; it must be renewed before any long-haul trip.",
                    "{user} has been to {city} twice on holiday and wants somewhere new for the next trip.",
                    "{user} keeps the tickets from every trip in a travel journal, the last one from a {transport} journey to {city}.",
                ],
                [Summary] =
                [
                    "Summary: {user} and I built a five-day itinerary for {city}, with day trips by {transport} and one day left free.",
                    "Conversation summary: {user} asked whether a visa is needed for {city}; I checked the rules and listed the documents for the trip.",
                    "We compared hotels in {city} for {user}; they booked {stay} near the main train station.",
                    "{user} wanted a packing list for a week in {city} in {month}; the luggage list includes the {item} and rain gear.",
                ],
                [Instruction] =
                [
                    "{user} asked me to check in online for every flight 24 hours before departure, starting with the trip to {city}.",
                    "Instruction from {user}: give travel times door to door, including the journey to the airport or station.",
                    "{user} wants a reminder to pack the {item} the evening before any trip.",
                    "{user} told me to watch the ticket prices for the {transport} to {city} and say when they drop.",
                ],
                [Error] =
                [
                    "Error: the booking of the {transport} to {city} failed at the payment step; {user} had to retry with another card.",
                    "I gave {user} the wrong departure time for the {transport} to {city}; the timetable had changed and the journey was rebooked.",
                    "The flight status lookup for {user}'s trip to {city} timed out, so I could not confirm the airport gate.",
                    "Could not add {user}'s hotel booking in {city} to the itinerary: the confirmation email had no dates I could read.",
                ],
            }),

        new("sports", ["Priya", "Omar", "Sam"],
            ["train", "race", "run", "marathon", "match", "team", "coach", "sport", "fitness", "workout", "cycling", "tournament", "football", "tennis"],
            new()
            {
                ["sport"] = ["running", "cycling", "swimming", "tennis", "football", "climbing"],
                ["event"] = ["a 10 km race", "the city marathon", "a sprint triathlon", "a 100 km cycling sportive", "the club tennis tournament"],
                ["team"] = ["Arsenal", "the local football club", "the Boston Celtics", "the national rugby team"],
                ["session"] = ["interval training", "a long run", "hill repeats", "a recovery ride", "strength training"],
            },
            new()
            {
                [Preference] =
                [
                    "{user} prefers {session} in the morning before work and never trains on Mondays.",
                    "{user} likes training plans that build up slowly, with a rest day after every hard session of {sport}.",
                    "{user} supports {team} and wants match results only after watching the game.",
                    "{user} wants workout distances in kilometres and paces in minutes per kilometre, also for {session}.",
                ],
                [Fact] =
                [
                    "{user} is training for {event} in {month} and trains four times a week.",
                    "{user} plays {sport} with a club on Thursday evenings and the coach picks the team on Fridays.",
                    "{user} injured a knee playing {sport} last year, so the coach limits jumping exercises in training.",
                    "{user} tracks every workout with a sports watch and shares it with the coach, including {session}.",
                ],
                [Summary] =
                [
                    "Summary: {user} and I reviewed the training plan for {event}; we added {session} on Wednesdays and a taper in the last two weeks.",
                    "Conversation summary: {user} asked how to avoid cramp in the second half of a race; we talked about pacing and drinking during {sport}.",
                    "We analysed {user}'s {sport} workouts from {month}; the pace improved but the recovery between sessions was too short.",
                    "{user} was disappointed after {team} lost the match; we talked about the team's next fixtures instead.",
                ],
                [Instruction] =
                [
                    "{user} asked me to schedule {session} twice a week in the training plan and move it when the weather is bad.",
                    "Instruction from {user}: log every race result with the time, the distance and the weather.",
                    "{user} wants a reminder to book the sports massage after every race longer than 20 km.",
                    "{user} told me to find {sport} clubs near the new flat with team training at weekends.",
                ],
                [Error] =
                [
                    "Error: the fitness app sync failed, so {user}'s {session} from {day} is missing from the training log.",
                    "I put the wrong date for {event} in {user}'s calendar; the race was a week earlier than I said.",
                    "Could not get the live score of {team}'s match for {user}: the sports API returned an empty response.",
                    "The training plan I made for {user} had two hard {sport} sessions in a row; the coach spotted it and I rebalanced the week.",
                ],
            }),

        new("climate", ["Aiko", "Elena", "Lucas"],
            ["climate", "emissions", "carbon", "temperature", "warming", "drought", "rainfall", "glacier", "heatwave", "renewable", "solar", "weather", "flood", "energy"],
            new()
            {
                ["region"] = ["the Alps", "the Arctic", "southern Spain", "the Mekong delta", "the Scottish Highlands", "the Sahel"],
                ["study"] = ["glacier melt in the Alps", "sea ice loss in the Arctic", "droughts in southern Spain", "river floods in the Mekong delta",
                    "wildfires in Greece", "heatwaves in northern India", "rainfall changes in the Sahel", "peat bogs in the Scottish Highlands"],
                ["hot"] = ["southern Spain", "Greece", "northern India", "the Sahel", "Texas"],
                ["phenomenon"] = ["heatwaves", "droughts", "river floods", "wildfires", "sea-level rise", "glacier melt"],
                ["action"] = ["installing solar panels", "switching to a heat pump", "cutting car journeys", "buying a used electric car", "insulating the loft"],
                ["dataset"] = ["the Copernicus temperature records", "the rainfall station data", "satellite images of sea ice", "the national emissions inventory"],
            },
            new()
            {
                [Preference] =
                [
                    "{user} prefers climate news from scientific sources and wants no opinion pieces about {phenomenon}.",
                    "{user} likes charts of temperature anomalies better than tables of numbers, for example from {dataset}.",
                    "{user} wants practical ideas to cut the household's carbon footprint, like {action}.",
                    "{user} prefers renewable energy tariffs and wants to compare green electricity suppliers every year.",
                ],
                [Fact] =
                [
                    "{user} is {action} this year to cut the household's carbon emissions.",
                    "{user} volunteers with a local group that plants trees against climate change in {month}.",
                    "{user} is writing a climate report on {study}, using satellite data and weather station records.",
                    "{user}'s home is in an area at risk of river floods, so they follow the weather warnings closely.",
                ],
                [Summary] =
                [
                    "Summary: {user} asked how climate change affects {study}; I summarised the latest scientific reports.",
                    "Conversation summary: {user} and I estimated the carbon savings of {action}; the payback came out at about {n} years.",
                    "We looked at the temperature records with {user} to check whether the summer heatwave in {hot} set a record.",
                    "{user} wanted to explain global warming to a school class; we made three simple charts of temperature and carbon dioxide.",
                ],
                [Instruction] =
                [
                    "{user} asked me to send a weekly digest of climate research on {phenomenon}.",
                    "Instruction from {user}: cite the dataset and the year for every climate statistic, e.g. {dataset}.",
                    "{user} wants an alert whenever the heatwave or flood warning level for their region changes.",
                    "{user} told me to track the household's energy use each month and show the carbon emissions it stands for.",
                ],
                [Error] =
                [
                    "Error: downloading {dataset} for {user} failed because the climate data archive returned a server error.",
                    "I quoted an outdated emissions figure to {user}; the newer national inventory had revised it, so I corrected the climate report.",
                    "The chart of rainfall in {region} I made for {user} had the wrong units: millimetres per day instead of per month.",
                    "Could not fetch the heatwave and air quality forecast for {user}: the weather service rate-limited the request.",
                ],
            }),
    ];

    /// <summary>Hand-written memories, one per sample question; memory <i>k</i> lies in the <i>k</i>-th block of ten objects.</summary>
    public static readonly Anchor[] Anchors =
    [
        new("software", Preference, "Maya",
            "Maya likes the Gruvbox dark theme in Neovim and wants the same colour scheme suggested for any new code editor.",
            "what editor theme does the user like?"),
        new("software", Summary, "Maya",
            "The deploy failed last week because the database migration of billing-service timed out on the invoices table; Maya rolled the release back.",
            "why did the deploy fail last week?"),
        new("astronomy", Summary, "Sam",
            "Sam saw Saturn's rings at the observatory open night, through the big refractor telescope, and called it the best night of the year.",
            "what did Sam see at the observatory open night?"),
        new("cooking", Preference, "Tom",
            "Tom hates cilantro, it tastes like soap to him: leave it out of every recipe and suggest parsley instead.",
            "which ingredient does Tom hate?"),
        new("gardening", Summary, "Tom",
            "Tom's greenhouse tomatoes have yellow leaves with brown spots; we concluded it was early blight and he removed the lower leaves.",
            "why are the tomato leaves turning yellow?"),
        new("finance", Fact, "Lucas",
            "Lucas saves 600 euros every month into the index fund portfolio, transferred automatically on payday.",
            "how much does Lucas save each month?"),
        new("music", Fact, "Aiko",
            "Aiko is learning Debussy's Clair de Lune on the piano and practises the middle section slowly every evening.",
            "what piece is Aiko practising on the piano?"),
        new("medicine", Instruction, "Priya",
            "Priya takes her blood pressure medication every morning at 8 with breakfast and wants a reminder if she has not logged it by 9.",
            "what time does Priya take her blood pressure pills?"),
        new("travel", Fact, "Lucas",
            "Lucas is going to Lisbon and Porto for his summer holiday in July; the flights are booked and he still needs a hotel in Porto.",
            "what are Lucas's summer holiday plans?"),
        new("sports", Fact, "Priya",
            "Priya finished the Berlin half marathon in 1 hour 52 minutes, her personal best, and wants to run under 1:50 next spring.",
            "what was Priya's half marathon time?"),
        new("climate", Fact, "Aiko",
            "Aiko's research is about how fast the glaciers in the Alps are melting; she uses drone surveys and rainfall records since 1990.",
            "which glaciers does Aiko study?"),
    ];
}
