/// Word lists for generated data: deliberately international and a little untidy, like a real
/// CRM after a few years of imports.
enum Vocabulary {
    static let firstNames = [
        "José", "Zoë", "Björn", "Åsa", "Chloé", "François", "Siobhán", "Łukasz", "Ngozi", "Olúwaseun", "Yuki", "Иван",
        "Мария", "محمد", "Aarav", "李娜", "陈静", "Søren", "Renée", "Jürgen", "Mateo", "Emma", "Liam", "Olivia", "Noah",
        "Ava", "Sofía", "Ming", "Priya", "Kwame", "Ana-María", "Jean-Luc", "Dagný", "Ömer", "Thảo", "Giulia", "Mohammed",
        "Sarah", "James", "Lucía", "Hiroshi", "Zsófia", "Ayşe", "Nikolai", "Fatima", "Chen", "Ólafur", "Beyoncé", "mike",
        "JENNIFER",
    ]
    static let lastNames = [
        "García", "Müller", "O'Brien", "Nguyễn", "Kowalski", "Smith", "Johnson", "Øster", "Ivanov", "Иванова", "Al-Farsi",
        "van der Berg", "Björk", "Dubois", "Rossi", "Tanaka", "Kim", "Schmidt", "Fernández", "Ó Súilleabháin", "Lefèvre",
        "Nowak", "Singh", "王", "Brown", "Williams", "de la Cruz", "Okafor", "Yılmaz", "Papadopoulos", "Novák", "Þórsson",
        "Haddad", "MacDonald", "St. John", "D'Angelo", "Lindqvist", "Kovačević", "Mendes", "Zhou",
    ]
    static let emailDomains = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me", "web.de", "orange.fr", "example.co.uk", "company.io"]
    static let companies = [
        "Acme Dental", "Café ☕ Lumière", "Nordic Roofing AB", "Müller & Söhne GmbH", "Bright Smiles LLC", "東京トレーディング",
        "Sunrise Yoga Studio", "O'Malley's Plumbing", "Zeta Fitness", "Ñandú Importaciones", "Blue Harbor Realty", "Kraków Motors",
    ]
    static let tags = [
        "customer", "vip", "lead", "newsletter", "webinar", "referral", "facebook-ad", "cold", "hot lead", "wholesale",
        "churned", "Ünïcode-tag",
    ]
    /// The location's contact custom fields, in the order of `LocationContext.customFieldIDs`:
    /// (name, fieldKey, dataType, picklist options). Generated contacts fill the first three.
    static let customFields: [(String, String, String, [String])] = [
        ("Score", "contact.score", "NUMERICAL", []),
        ("Tier", "contact.tier", "SINGLE_OPTIONS", ["Gold", "Silver", "Bronze", "Platin ✨"]),
        ("Notes", "contact.notes", "LARGE_TEXT", []),
        ("Referral Code", "contact.referral_code", "TEXT", []),
    ]
    static let sources = ["public api", "xyz form", "facebook", "google ads", "manual", "import", "chat widget", "referral"]
    /// (country, timezone, phone prefix, cities)
    static let countries: [(String, String, String, [String])] = [
        ("US", "America/New_York", "+1", ["New York", "Austin", "Denver", "Miami"]),
        ("GB", "Europe/London", "+44", ["London", "Manchester", "Leeds"]),
        ("DE", "Europe/Berlin", "+49", ["Berlin", "München", "Köln"]),
        ("FR", "Europe/Paris", "+33", ["Paris", "Lyon", "Marseille"]),
        ("ES", "Europe/Madrid", "+34", ["Madrid", "Sevilla", "A Coruña"]),
        ("IN", "Asia/Kolkata", "+91", ["Mumbai", "Bengaluru", "Pune"]),
        ("BR", "America/Sao_Paulo", "+55", ["São Paulo", "Belo Horizonte"]),
        ("JP", "Asia/Tokyo", "+81", ["Tōkyō", "Ōsaka"]),
        ("CA", "America/Toronto", "+1", ["Toronto", "Montréal"]),
        ("AU", "Australia/Sydney", "+61", ["Sydney", "Melbourne"]),
    ]
    static let streets = ["Main St", "Hauptstraße", "Rue de Rivoli", "Calle Mayor", "High Street", "Elm Ave", "Ringvägen"]
    static let pipelineTemplates: [(String, [String])] = [
        ("Sales Pipeline", ["New Lead", "Contacted", "Qualified", "Proposal Sent", "Negotiation", "Closed Won"]),
        ("Onboarding 🚀", ["Kickoff", "Setup", "Training", "Live"]),
        ("Renewals", ["Upcoming", "In Discussion", "Churn Risk", "Renewed"]),
        ("Partnerships", ["Intro", "Evaluation", "Contract", "Signed"]),
    ]
    static let products = [
        "Teeth Whitening", "Annual Membership", "Consultation", "Roof Inspection", "Yoga 10-Class Pass", "Premium Plan",
        "Starter Kit", "Café Gift Card", "Website Audit", "Coaching Session",
    ]
    /// (currency, weight, integer amounts)
    static let currencies: [(String, Int, Bool)] = [
        ("USD", 50, false), ("EUR", 15, false), ("GBP", 10, false), ("CAD", 6, false), ("AUD", 5, false), ("JPY", 5, true),
        ("INR", 5, false), ("BRL", 4, false),
    ]
    static let reviewHeadlines: [[String]] = [
        ["Terrible experience", "Never again", "Broken on arrival"],
        ["Disappointing", "Not worth the price", "Meh"],
        ["It's okay", "Average", "Does the job"],
        ["Very good", "Happy with it", "Great value"],
        ["Absolutely amazing!", "Five stars ⭐⭐⭐⭐⭐", "Best purchase this year", "Excelente 👍"],
    ]
    static let reviewDetails = [
        "Delivery took longer than expected but support was helpful.",
        "Exactly as described. Would recommend to friends.",
        "The quality exceeded my expectations in every way.",
        "Customer service never answered my emails.",
        "Très bon produit, je recommande.",
        "Sehr zufrieden, gerne wieder!",
        "Line one.\nLine two with \"quotes\" and a tab\there.",
        "",
    ]
}
